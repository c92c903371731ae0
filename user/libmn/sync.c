// SPDX-License-Identifier: GPL-2.0-only
/*
 * Task-level synchronisation: Mutex, RWMutex, Cond, Once, WaitGroup and
 * counting semaphores.  Each object is zero-initialised ready to use and
 * keeps its waiters in a FIFO (struct mn_waiter on the waiter's stack)
 * guarded by a small internal lock that is released by mn_park only after
 * the waiter's registers are saved.
 *
 * Happens-before (race.h), on each object's address, by the task whose
 * operation it is: a mutex unlock before every later lock; an RWMutex's
 * write unlock before every later lock, its read unlocks (on the address
 * + 1) before later write locks; Cond adds nothing to its mutex's edges;
 * Once's function before every return; WaitGroup's Done (Add < 0) before
 * Wait returns; a semaphore's release before the acquire it lets through.
 */
#include <string.h>

#include "internal.h"
#include "race.h"
#include "waitq.h"

/*
 * A waiter, on its task's stack while it waits, in the object's wait list
 * (waitq.h) under the object's ilock.
 */
struct mn_waiter {
	struct mn_wq_link link;
	struct mn_g *g;
};

/* The first waiter of @wq, removed; NULL if none.  Must hold the lock of
 * the object that owns wq (or own a local list). */
static struct mn_waiter *waiter_pop(void **wq)
{
	struct mn_wq_link *l = mn_wq_pop(wq);

	return l ? mn_wq_entry(l, struct mn_waiter, link) : NULL;
}

/* Ready every waiter of a local list, first to last.  The lists built
 * by push_front hold them in the reverse order of their dequeueing. */
static void wake_all(void **list)
{
	struct mn_waiter *w;

	while ((w = waiter_pop(list)))
		mn_ready(w->g);
}

static struct mn_g *self_or_die(const char *what)
{
	struct mn_g *g = mn_getg();

	if (!g)
		mn_fatal_outside("%s outside a task", what);
	return g;
}

/*
 * ---- Mutex ----
 * The state word is used as bytes: byte 0 is LOCKED, byte 1 WAITERS (the
 * queue may not be empty; written under ilock only), byte 2 a count for
 * clearing WAITERS (MU_EMPTY, under ilock).  Like Go's normal mode, a
 * locker that finds it held spins briefly while another P runs (plain
 * loads), then queues and parks; a woken waiter competes with newcomers
 * (barging) and goes back to the queue's front if it loses.
 *
 * Unlock is a plain store of LOCKED = 0 followed by a plain load of
 * WAITERS: no locked instruction, where a CAS or xchg costs as much as the
 * whole rest of lock+unlock (perf, docs/libmn.md).  x86 may perform that
 * load before the store is visible, so a waiter that sets WAITERS and then
 * reads LOCKED could miss the unlock while the unlocker misses WAITERS: a
 * lost wakeup (Dekker).  The waiter closes the race with membarrier(2)
 * between its store and its load: every other thread of the process
 * executes a full barrier, so either the unlock's store is visible to the
 * waiter's load, or the unlock's load comes after the waiter's store.  Only
 * the waiter that turns WAITERS from 0 to 1 needs it (later ones find it
 * set: it stays set while anyone is queued and MU_LINGER unlocks longer),
 * about 1,000 times in 4 million locks of 4 tasks on 2 CPUs; clearing it
 * sooner made that hundreds of thousands (2.5 us each here).  Where
 * membarrier is refused (seccomp; libmn needs Linux >= 5.11, which has
 * it), waiters never park: they yield until the mutex is free.
 */
#define MU_LOCKED	0
#define MU_WAITERS	1
#define MU_EMPTY	2	/* unlocks that found no waiter since WAITERS was set (ilock) */
#define MU_LINGER	64
#define MU_SPIN_ROUNDS	4	/* per lock call, as Go's active_spin */
#define MU_SPIN_PAUSES	30	/* per round, as Go's active_spin_cnt */


static inline uint8_t *mu_byte(mn_mutex *mu, int i)
{
	return (uint8_t *)&mu->state + i;
}

/* mn.h's fast paths (inline in callers too) know this layout. */
_Static_assert(MU_LOCKED == 0 && MU_WAITERS == 1, "mn.h's mn__mutex_*_fast");

static inline bool mu_trylock(mn_mutex *mu)
{
	return mn__mutex_trylock_fast(mu);
}

bool mn_mutex_trylock(mn_mutex *mu)
{
	if (!mu_trylock(mu))
		return false;
	mn_race_acquire(mu);
	return true;
}

static bool mu_locked(mn_mutex *mu)
{
	return __atomic_load_n(mu_byte(mu, MU_LOCKED), __ATOMIC_RELAXED);
}

/*
 * Whether to spin on the mutex rather than park, as Go's sync.Mutex does
 * (runtime.sync_runtime_canSpin): rounds left, more than one P, and
 * another P running (the holder may be there, about to unlock).  Unlike
 * Go, even when other tasks are runnable here: they wait at most
 * MU_SPIN_ROUNDS rounds (a few us), and with that test the 4-task bench
 * spun too rarely (62-83 ns/op against 36-39 without it).
 *
 * Never under a race detector: its hooks (the acquire after the lock, the
 * release before the unlock) make the critical section several times
 * longer, a spinner mostly sees the holder take the mutex again, and
 * every handoff to the other P moves the mutex's, the sync object's and
 * the data's lines across.  The 4-task bench on 2 CPUs spent 0.5 s CPU
 * for 0.3 s wall with the spin under mnrace, 0.22 for 0.20 without it
 * (TSan's flavour: 0.49 for 0.38, 0.34 for 0.33).  Plain, the spin is
 * what makes it fast (without it: 0.33-1.0 s wall).
 */
static bool mu_can_spin(int rounds)
{
	return !MN_RACE_ON && rounds < MU_SPIN_ROUNDS && mn_sched.nprocs > 1 &&
	       atomic_load_explicit(&mn_sched.npidle, memory_order_relaxed) +
	       atomic_load_explicit(&mn_sched.nmspinning, memory_order_relaxed) + 1 <
	       mn_sched.nprocs;
}

/* One round: pauses, then a plain load (no write: the holder keeps the
 * line until it unlocks).  True if the mutex looks free. */
static bool mu_spin_round(mn_mutex *mu)
{
	for (int i = 0; i < MU_SPIN_PAUSES; i++)
		__builtin_ia32_pause();
	return !mu_locked(mu);
}

/* Out of line: the fast paths then need no frame and save no registers.
 * @locked: the fast path got the mutex already (only the race hook is
 * left to do).  Called by mn.h's inline mn_mutex_lock too. */
void mn__mutex_lock_slow(mn_mutex *mu, bool locked)
{
	struct mn_waiter w = { 0 };
	bool requeue = false;
	int rounds = 0;

	if (locked)
		goto got_it;
	w.g = self_or_die("mn_mutex_lock");
	for (;;) {
		if (mu_trylock(mu))
			break;
		/* Spin briefly before parking, as Go does.  A park costs
		 * its waker a wake and often both Ps a steal; with 4 tasks
		 * on 2 CPUs the time per lock grew with the parks (bimodal,
		 * 15-140 ns/op; 0.15-1.4 million parks per 4 million
		 * locks), and spinning made it 35-39 ns every run.  The spin
		 * reads with plain loads only: no write steals the line. */
		if (mu_can_spin(rounds)) {
			while (mu_can_spin(rounds) && !mu_spin_round(mu))
				rounds++;
			rounds++;
			continue;
		}
		mn_lk_lock(&mu->ilock);
		if (!mu_locked(mu)) {
			mn_lk_unlock(&mu->ilock);
			continue;
		}
		if (!__atomic_load_n(mu_byte(mu, MU_WAITERS), __ATOMIC_RELAXED)) {
			if (!mn_membarrier_ok) {
				mn_lk_unlock(&mu->ilock);
				mn_yield();
				continue;
			}
			__atomic_store_n(mu_byte(mu, MU_WAITERS), 1, __ATOMIC_RELAXED);
			mn_membarrier();
			if (!mu_locked(mu)) {
				/* WAITERS stays: unlocks clear it (MU_LINGER) */
				mn_lk_unlock(&mu->ilock);
				continue;
			}
		}
		/* A waiter that was woken and lost the race goes first. */
		if (requeue)
			mn_wq_push_front(mu->wq, &w.link);
		else
			mn_wq_push(mu->wq, &w.link);
		mn_park(mn_unlock_lk, &mu->ilock, "mutex");
		requeue = true;
	}
got_it:
	mn_race_acquire(mu);
}

void mn_mutex_lock(mn_mutex *mu)
{
	bool locked = mu_trylock(mu);

	if (likely(locked) && !MN_RACE_ON)
		return;
	mn__mutex_lock_slow(mu, locked);
}

static __attribute__((noinline, cold, noreturn)) void mutex_unlock_unlocked(void)
{
	mn_fatal_g(mn_getg(), MN_RING_ERR_UNLOCK_UNLOCKED, "sync: unlock of unlocked mutex");
}

/* The release found WAITERS: wake the first waiter.  Called by mn.h's
 * inline mn_mutex_unlock too. */
void mn__mutex_wake(mn_mutex *mu)
{
	struct mn_waiter *w;

	mn_lk_lock(&mu->ilock);
	w = waiter_pop(mu->wq);
	/* WAITERS outlives the last waiter by MU_LINGER unlocks: under
	 * steady contention the next waiter then finds it set and needs no
	 * membarrier (cleared at the first empty unlock, 4 tasks on 2 CPUs
	 * made 470,000 membarrier calls for 4M locks, 355 ns/op). */
	if (w) {
		*mu_byte(mu, MU_EMPTY) = 0;
	} else if (++*mu_byte(mu, MU_EMPTY) >= MU_LINGER) {
		*mu_byte(mu, MU_EMPTY) = 0;
		__atomic_store_n(mu_byte(mu, MU_WAITERS), 0, __ATOMIC_RELAXED);
	}
	mn_lk_unlock(&mu->ilock);
	if (w)
		mn_ready(w->g);
}

/* The unlock without its release (race.h): cond_unlock runs it on g0
 * for a task that released already. */
static inline void mutex_unlock(mn_mutex *mu)
{
	if (unlikely(!mu_locked(mu)))
		mutex_unlock_unlocked();
	/* no fence: the waiter's membarrier orders the release's store and
	 * its load of WAITERS (above) */
	if (!mn__mutex_unlock_fast(mu))
		mn__mutex_wake(mu);
}

/* With a race detector: out of line, so that the plain unlock keeps no
 * frame for a call it never makes. */
static __attribute__((noinline, cold)) void mutex_unlock_race(mn_mutex *mu)
{
	mn_race_release(mu);
	mutex_unlock(mu);
}

void mn_mutex_unlock(mn_mutex *mu)
{
	if (MN_RACE_ON) {
		mutex_unlock_race(mu);
		return;
	}
	mutex_unlock(mu);
}

/* mn.h's inline unlock, when its fast path is not enough. */
void mn__mutex_unlock_slow(mn_mutex *mu) __attribute__((alias("mn_mutex_unlock")));

/* ---- RWMutex: writers waiting block new readers ---- */

void mn_rwmutex_rlock(mn_rwmutex *rw)
{
	struct mn_waiter w = { 0 };

	mn_lk_lock(&rw->ilock);
	if (!rw->writer && !rw->wwait) {
		rw->readers++;
		mn_lk_unlock(&rw->ilock);
		mn_race_acquire(rw);
		return;
	}
	w.g = self_or_die("mn_rwmutex_rlock");
	mn_wq_push(rw->rq, &w.link);
	mn_park(mn_unlock_lk, &rw->ilock, "rwmutex rlock");	/* waker counted us */
	mn_race_acquire(rw);
}

/* The object read unlocks release into (race.h). */
static inline void *rw_readers_sync(mn_rwmutex *rw)
{
	return (char *)rw + 1;
}

static void rw_wake_writer(mn_rwmutex *rw, struct mn_g **wake)
{
	struct mn_waiter *w = waiter_pop(rw->wq);

	if (w) {
		rw->writer = 1;
		rw->wwait--;
		*wake = w->g;
	}
}

void mn_rwmutex_runlock(mn_rwmutex *rw)
{
	struct mn_g *wake = NULL;

	mn_race_release(rw_readers_sync(rw));
	mn_lk_lock(&rw->ilock);
	if (rw->readers <= 0) {
		mn_lk_unlock(&rw->ilock);
		mn_fatal_g(mn_getg(), MN_RING_ERR_UNLOCK_UNLOCKED, "sync: RUnlock of unlocked RWMutex");
	}
	if (--rw->readers == 0)
		rw_wake_writer(rw, &wake);
	mn_lk_unlock(&rw->ilock);
	if (wake)
		mn_ready(wake);
}

void mn_rwmutex_lock(mn_rwmutex *rw)
{
	struct mn_waiter w = { 0 };

	mn_lk_lock(&rw->ilock);
	if (rw->writer || rw->readers != 0) {
		w.g = self_or_die("mn_rwmutex_lock");
		rw->wwait++;
		mn_wq_push(rw->wq, &w.link);
		mn_park(mn_unlock_lk, &rw->ilock, "rwmutex lock");	/* waker set writer */
	} else {
		rw->writer = 1;
		mn_lk_unlock(&rw->ilock);
	}
	mn_race_acquire(rw);
	mn_race_acquire(rw_readers_sync(rw));
}

void mn_rwmutex_unlock(mn_rwmutex *rw)
{
	struct mn_waiter *w;
	void *list[2] = { NULL, NULL };
	struct mn_g *wake = NULL;

	mn_race_release(rw);
	mn_lk_lock(&rw->ilock);
	if (!rw->writer) {
		mn_lk_unlock(&rw->ilock);
		mn_fatal_g(mn_getg(), MN_RING_ERR_UNLOCK_UNLOCKED, "sync: Unlock of unlocked RWMutex");
	}
	rw->writer = 0;
	if (!mn_wq_empty(rw->rq)) {
		/* Readers that queued behind this writer go next, together. */
		while ((w = waiter_pop(rw->rq))) {
			rw->readers++;
			mn_wq_push_front(list, &w->link);
		}
	} else {
		rw_wake_writer(rw, &wake);
	}
	mn_lk_unlock(&rw->ilock);
	wake_all(list);
	if (wake)
		mn_ready(wake);
}

/* ---- Cond ---- */

struct cond_park {
	uint32_t *ilock;
	mn_mutex *mu;
};

static void cond_unlock(void *a)
{
	struct cond_park *cp = a;
	mn_mutex *mu = cp->mu;	/* cp is on the waiter's stack: gone once ilock drops */

	mn_lk_unlock(cp->ilock);
	mutex_unlock(mu);	/* on g0: mn_cond_wait released for its task */
}

void mn_cond_wait(mn_cond *c, mn_mutex *mu)
{
	struct mn_waiter w = { 0 };
	struct cond_park cp = { &c->ilock, mu };

	w.g = self_or_die("mn_cond_wait");
	if (!mu_locked(mu))
		mn_fatal_g(w.g, MN_RING_ERR_COND_UNLOCKED, "sync: mn_cond_wait with unlocked mutex");
	mn_race_release(mu);
	mn_lk_lock(&c->ilock);
	mn_wq_push(c->wq, &w.link);
	/* Queued before the mutex is released: no lost signal. */
	mn_park(cond_unlock, &cp, "cond wait");
	mn_mutex_lock(mu);
}

void mn_cond_signal(mn_cond *c)
{
	struct mn_waiter *w;

	mn_lk_lock(&c->ilock);
	w = waiter_pop(c->wq);
	mn_lk_unlock(&c->ilock);
	if (w)
		mn_ready(w->g);
}

void mn_cond_broadcast(mn_cond *c)
{
	struct mn_waiter *w;
	void *list[2] = { NULL, NULL };

	mn_lk_lock(&c->ilock);
	while ((w = waiter_pop(c->wq))) {
		mn_wq_push_front(list, &w->link);
	}
	mn_lk_unlock(&c->ilock);
	wake_all(list);
}

/* ---- Once ---- */

void mn_once_do(mn_once *o, void (*fn)(void *), void *arg)
{
	if (__atomic_load_n(&o->done, __ATOMIC_ACQUIRE)) {
		mn_race_acquire(o);
		return;
	}
	mn_mutex_lock(&o->mu);
	if (!o->done) {
		fn(arg);
		mn_race_release(o);
		__atomic_store_n(&o->done, 1, __ATOMIC_RELEASE);
	}
	mn_mutex_unlock(&o->mu);
	mn_race_acquire(o);
}

/* ---- WaitGroup ---- */

void mn_wg_add(mn_waitgroup *wg, int64_t delta)
{
	struct mn_waiter *w;
	void *list[2] = { NULL, NULL };
	int64_t v;

	if (delta < 0)
		mn_race_release(wg);
	mn_lk_lock(&wg->ilock);
	v = wg->count += delta;
	if (v < 0) {
		mn_lk_unlock(&wg->ilock);
		mn_fatal_g(mn_getg(), MN_RING_ERR_WG_NEGATIVE, "sync: negative WaitGroup counter");
	}
	if (delta > 0 && v == delta && (wg->waiters || wg->waking)) {
		mn_lk_unlock(&wg->ilock);
		mn_fatal_g(mn_getg(), MN_RING_ERR_WG_REUSE, wg->waking ?
			   "sync: WaitGroup is reused before previous Wait has returned" :
			   "sync: WaitGroup misuse: Add called concurrently with Wait");
	}
	if (v == 0 && wg->waiters) {
		while ((w = waiter_pop(wg->wq))) {
			mn_wq_push_front(list, &w->link);
		}
		wg->waking += wg->waiters;
		wg->waiters = 0;
	}
	mn_lk_unlock(&wg->ilock);
	wake_all(list);
}

void mn_wg_done(mn_waitgroup *wg)
{
	mn_wg_add(wg, -1);
}

void mn_wg_wait(mn_waitgroup *wg)
{
	struct mn_waiter w = { 0 };

	mn_lk_lock(&wg->ilock);
	if (wg->count == 0) {
		mn_lk_unlock(&wg->ilock);
		mn_race_acquire(wg);
		return;
	}
	w.g = self_or_die("mn_wg_wait");
	wg->waiters++;
	mn_wq_push(wg->wq, &w.link);
	mn_park(mn_unlock_lk, &wg->ilock, "waitgroup wait");
	mn_lk_lock(&wg->ilock);
	wg->waking--;
	mn_lk_unlock(&wg->ilock);
	mn_race_acquire(wg);
}

/* ---- semaphores: release hands the unit straight to a waiter ---- */

void mn_sem_init(mn_sem *s, int64_t count)
{
	memset(s, 0, sizeof(*s));
	s->count = count;
}

bool mn_sem_tryacquire(mn_sem *s)
{
	bool ok = false;

	mn_lk_lock(&s->ilock);
	if (s->count > 0) {
		s->count--;
		ok = true;
	}
	mn_lk_unlock(&s->ilock);
	if (ok)
		mn_race_acquire(s);
	return ok;
}

void mn_sem_acquire(mn_sem *s)
{
	struct mn_waiter w = { 0 };

	mn_lk_lock(&s->ilock);
	if (s->count > 0) {
		s->count--;
		mn_lk_unlock(&s->ilock);
	} else {
		w.g = self_or_die("mn_sem_acquire");
		mn_wq_push(s->wq, &w.link);
		mn_park(mn_unlock_lk, &s->ilock, "semaphore");
	}
	mn_race_acquire(s);
}

void mn_sem_release(mn_sem *s)
{
	struct mn_waiter *w;

	mn_race_release(s);
	mn_lk_lock(&s->ilock);
	w = waiter_pop(s->wq);
	if (!w)
		s->count++;
	mn_lk_unlock(&s->ilock);
	if (w)
		mn_ready(w->g);
}
