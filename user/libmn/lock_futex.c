// SPDX-License-Identifier: GPL-2.0-only
/*
 * lock_futex.c: futexes and the runtime's internal lock (Go's
 * lock_futex.go and os_linux.go futexsleep/futexwakeup).
 *
 * Owns: mn_futex_wait/mn_futex_wake and the slow halves of the lock whose
 * fast paths are inline in internal.h (mn_lk_lock, mn_lk_unlock).
 *
 * The lock is a thread-level mutex for runtime data (sched.lock, channel
 * and sync locks, the pools): its holder blocks the whole thread, never
 * parks a task.  Invariants:
 *  - The word's byte MN_LK_LOCKED is 1 while held; MN_LK_SLEEPERS is 1
 *    when a thread may sleep on the futex (the other two bytes stay 0).
 *    Lock is a CAS of LOCKED; unlock a plain store of LOCKED = 0 and a
 *    load of SLEEPERS (no locked instruction: on a channel operation the
 *    lock's CAS and unlock's xchg were the whole cost, perf), waking one
 *    sleeper, after clearing SLEEPERS, if it is set.
 *  - x86 may perform the unlock's load before its store is visible.  A
 *    thread about to sleep sets SLEEPERS, then calls membarrier(2), which
 *    makes every other thread of the process execute a full barrier, then
 *    tries LOCKED once more: either the unlock's store is visible to that
 *    try, or the unlock's load comes after, and sees SLEEPERS.  It sleeps
 *    on the futex only while the word is still LOCKED | SLEEPERS, so an
 *    unlock between its try and its sleep is not missed either.
 *  - A thread that slept and then takes the lock sets SLEEPERS again
 *    (Drepper's "futexes are tricky", mutex 2): others may still sleep,
 *    and the unlock that woke it cleared the flag.
 *  - Without membarrier (seccomp) no thread sleeps: they yield.
 *  - Held only for short sections that wait for nothing: no task switch
 *    and no wait on another task or thread while holding one (mn_park
 *    releases the caller's lock from g0, through its unlockf, after the
 *    switch).  A few sections make a quick system call (mmap for a stack
 *    slab, write to sysmon's eventfd).
 */
#include <errno.h>
#include <linux/futex.h>
#include <linux/membarrier.h>
#include <sched.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

void mn_futex_wait(uint32_t *addr, uint32_t val, int64_t timeout_ns)
{
	struct timespec ts, *tp = NULL;

	if (timeout_ns >= 0) {
		ts.tv_sec = timeout_ns / 1000000000LL;
		ts.tv_nsec = timeout_ns % 1000000000LL;
		tp = &ts;
	}
	syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, tp, NULL, 0);
}

void mn_futex_wake(uint32_t *addr, int n)
{
	syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

static inline void cpu_relax(void)
{
	__builtin_ia32_pause();
}

bool mn_membarrier_ok;

/* Before main, single-threaded: every lock and unlock sees the result. */
__attribute__((constructor)) static void membarrier_init(void)
{
	mn_membarrier_ok = syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
}

/* A full barrier on every thread of the process.  mn_membarrier_ok only. */
void mn_membarrier(void)
{
	if (syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0))
		mn_fatal("membarrier: %s", strerror(errno));	/* registered: cannot fail */
}

/* A spinner reads first: only a free lock's line is taken for writing. */
static inline bool lk_trylock(uint32_t *l)
{
	return __atomic_load_n(mn_lk_byte(l, MN_LK_LOCKED), __ATOMIC_RELAXED) == 0 &&
	       mn_lk_trylock(l);
}

void mn_lk_lock_slow(uint32_t *l)
{
	const uint32_t asleep = 1u << (8 * MN_LK_LOCKED) | 1u << (8 * MN_LK_SLEEPERS);
	bool slept = false;

	for (;;) {
		for (int i = 0; i < 64; i++) {
			cpu_relax();
			if (lk_trylock(l))
				goto got;
		}
		if (!mn_membarrier_ok) {
			sched_yield();
			continue;
		}
		__atomic_store_n(mn_lk_byte(l, MN_LK_SLEEPERS), 1, __ATOMIC_RELAXED);
		mn_membarrier();
		if (lk_trylock(l))
			goto got;
		mn_futex_wait(l, asleep, -1);
		slept = true;
	}
got:
	if (slept)
		__atomic_store_n(mn_lk_byte(l, MN_LK_SLEEPERS), 1, __ATOMIC_RELAXED);
}

void mn_lk_wake(uint32_t *l)
{
	__atomic_store_n(mn_lk_byte(l, MN_LK_SLEEPERS), 0, __ATOMIC_RELAXED);
	mn_futex_wake(l, 1);
}

void mn_unlock_lk(void *lk)
{
	mn_lk_unlock(lk);
}
