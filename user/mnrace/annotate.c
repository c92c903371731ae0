// SPDX-License-Identifier: GPL-2.0-only
/*
 * The annotations of include/mnrace.h, and the invisible barrier of
 * TSan's test.h: a barrier built from the runtime's own (uninstrumented)
 * atomics, so no clock moves through it.
 *
 * The barrier word is 32 bits, as in TSan's test.h, which declares it
 * itself: count in bits 0-11, arrivals in bits 12-23, the generation in
 * bits 24-31.  The last arrival clears the arrivals and bumps the
 * generation; the others wait for the generation to change (it cannot
 * change twice while one waits: the next round needs the waiter too).
 */
#include <unistd.h>

#include "../../include/mnrace.h"
#include "access.h"
#include "sync.h"

MNR_EXPORT void mnrace_release(const volatile void *addr)
{
	sync_release(task_cur(), (uintptr_t)addr);
}

MNR_EXPORT void mnrace_acquire(const volatile void *addr)
{
	sync_acquire(task_cur(), (uintptr_t)addr);
}

MNR_EXPORT void mnrace_ignore_range(const volatile void *addr, size_t size)
{
	access_ignore((uintptr_t)addr, size);
}

#define B_COUNT(w)	((w) & 0xfffu)
#define B_ARRIVED	(1u << 12)
#define B_ARR_MASK	(0xfffu << 12)
#define B_GEN		(1u << 24)

MNR_EXPORT void __tsan_testonly_barrier_init(invisible_barrier_t *b, unsigned count)
{
	if (!count || count > 0xfff)
		rt_fatal("__tsan_testonly_barrier_init: count %u out of 1..4095", count);
	__atomic_store_n(b, count, __ATOMIC_RELEASE);
}

MNR_EXPORT void __tsan_testonly_barrier_wait(invisible_barrier_t *b)
{
	unsigned w = __atomic_add_fetch(b, B_ARRIVED, __ATOMIC_ACQ_REL);
	unsigned gen = w / B_GEN;

	if (((w & B_ARR_MASK) >> 12) == B_COUNT(w)) {
		unsigned nw;

		do
			nw = (w & ~B_ARR_MASK) + B_GEN;
		while (!__atomic_compare_exchange_n(b, &w, nw, false, __ATOMIC_ACQ_REL,
						    __ATOMIC_ACQUIRE));
		return;
	}
	for (int n = 0; __atomic_load_n(b, __ATOMIC_ACQUIRE) / B_GEN == gen; n++)
		if (n > 100)
			usleep(50);
		else
			sched_yield();
}
