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
 *  - The word is 0 free, 1 locked, 2 locked and maybe waited on
 *    (Drepper, "Futexes are tricky", mutex 2).  Only mn_lk_unlock stores
 *    0; it wakes one waiter when it saw 2.
 *  - A waiter sets 2 before it sleeps, so an unlock after its store
 *    wakes it; one that loses the race simply sees 0 and takes the lock.
 *  - Held only for short, non-blocking sections: no system call that may
 *    sleep and no task switch while holding one (mn_park releases the
 *    caller's lock from g0, through its unlockf, after the switch).
 */
#include <linux/futex.h>
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

/* Drepper's three-state mutex: 0 free, 1 locked, 2 locked with waiters. */
void mn_lk_lock_slow(uint32_t *l)
{
	uint32_t c;
	int i;

	for (i = 0; i < 64; i++) {
		cpu_relax();
		c = 0;
		if (__atomic_load_n(l, __ATOMIC_RELAXED) == 0 &&
		    __atomic_compare_exchange_n(l, &c, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return;
	}
	while (__atomic_exchange_n(l, 2, __ATOMIC_ACQUIRE) != 0)
		mn_futex_wait(l, 2, -1);
}

void mn_lk_wake(uint32_t *l)
{
	mn_futex_wake(l, 1);
}

void mn_unlock_lk(void *lk)
{
	mn_lk_unlock(lk);
}
