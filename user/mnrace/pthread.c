// SPDX-License-Identifier: GPL-2.0-only
/*
 * pthreads, interposed: every thread is a task, and each function makes
 * the happens-before edges POSIX promises (docs/mnrace.md):
 *   create: the creator's past before the new thread's start;
 *   exit before join returns;
 *   mutex, spin and rwlock: unlock before the next lock that gets it
 *     (a read unlock before a later write lock only, not a read lock);
 *   cond wait: the mutex's unlock and relock (signal/broadcast are no
 *     edge by themselves: the predicate lives under the mutex);
 *   barrier: every arrival before every departure of the same wait
 *     (the object is read on arrival and on departure);
 *   sem: post before the wait that takes it;
 *   once: the init function before every return of pthread_once.
 * The objects count as memory too: init and destroy write them, every
 * other operation reads them atomically, so using one concurrently with
 * its initialisation or destruction is a race.
 */
#include <errno.h>
#include <sched.h>
#include <string.h>

#include "access.h"
#include "depot.h"
#include "fork.h"
#include "init.h"
#include "real.h"
#include "scope.h"
#include "sync.h"
#include "task.h"

/* ---- the object as memory ---- */

/* Where an object is used: the interceptor @fn called from @caller.  Its
 * accesses are made in @fn's own frame (scope.h), as TSan reports them. */
struct site {
	uintptr_t caller;
	const void *fn;
};
#define SITE(fn)	((struct site){ MNR_PC(), (fn) })

static void obj_write(struct task *t, const void *o, size_t n, struct site at)
{
	access_range(t, (uintptr_t)o, n, true, scope_enter(t, at.caller, at.fn));
	scope_exit(t);
}

static void obj_use(struct task *t, const void *o, struct site at)
{
	access_small(t, (uintptr_t)o, 1, false, true, scope_enter(t, at.caller, at.fn));
	scope_exit(t);
}

/* ---- threads ---- */

#define HBUCKETS 256
static struct task *by_pth[HBUCKETS];
static spin_t by_pth_lock;

void pthread_wrappers_init(void)
{
	fork_guard(&by_pth_lock);
}

static unsigned pth_hash(pthread_t p)
{
	return (unsigned)((uintptr_t)p >> 12 ^ (uintptr_t)p >> 4) % HBUCKETS;
}

static void pth_add(struct task *t)
{
	spin_lock(&by_pth_lock);
	t->hnext = by_pth[pth_hash(t->pth)];
	by_pth[pth_hash(t->pth)] = t;
	spin_unlock(&by_pth_lock);
}

/* The task of thread @p, taken out of the table when @take.  A join
 * takes it out before the real join: once glibc has joined a thread, a
 * new thread may get the same pthread_t at once. */
static struct task *pth_find(pthread_t p, bool take)
{
	struct task **pp, *t = NULL;

	spin_lock(&by_pth_lock);
	for (pp = &by_pth[pth_hash(p)]; *pp; pp = &(*pp)->hnext)
		if (pthread_equal((*pp)->pth, p)) {
			t = *pp;
			if (take)
				*pp = t->hnext;
			break;
		}
	spin_unlock(&by_pth_lock);
	return t;
}

/* Take @t itself out, if it is still in (by identity, not pthread_t). */
static void pth_remove(struct task *t)
{
	struct task **pp;

	spin_lock(&by_pth_lock);
	for (pp = &by_pth[pth_hash(t->pth)]; *pp; pp = &(*pp)->hnext)
		if (*pp == t) {
			*pp = t->hnext;
			break;
		}
	spin_unlock(&by_pth_lock);
}

struct start {
	void *(*fn)(void *);
	void *arg;
	struct task *task;
	struct vclock parent;	/* released by the creator */
};

/* The task is done running: publish its clock for join, and free it if
 * it was detached (nobody will join it). */
static void thread_done(struct task *t)
{
	uint32_t life;

	vc_copy(&t->exit_vc, &t->vc);
	task_leave_clock(&t->vc);
	task_end(t);
	mnr_in_rt++;	/* for good: what the thread runs now is not checked */
	life = __atomic_fetch_or(&t->life, TASK_EXITED, __ATOMIC_ACQ_REL);
	if (life & TASK_DETACHED) {
		pth_remove(t);
		task_free(t);
	}
}

/* Named for reports: stacks end at this frame (report.c). */
static void *mnrace_thread_start(void *p)
{
	struct start st = *(struct start *)p;
	void *ret;

	rt_free(p);
	st.task->pth = pthread_self();
	task_start(st.task);
	task_acquire(st.task, &st.parent);
	vc_free(&st.parent);
	ret = st.fn(st.arg);
	thread_done(st.task);
	return ret;
}

MNR_EXPORT int pthread_create(pthread_t *th, const pthread_attr_t *attr,
			      void *(*fn)(void *), void *arg)
{
	struct task *self, *t;
	struct start *st;
	int err;

	mnr_init_early();
	self = task_cur();
	t = task_new(self->id, task_stack_id_unwound(self, MNR_PC(), pthread_create));
	st = rt_alloc(sizeof(*st));
	st->fn = fn;
	st->arg = arg;
	st->task = t;
	task_release(self, &st->parent);
	err = REAL(pthread_create)(th, attr, mnrace_thread_start, st);
	if (err) {
		vc_free(&st->parent);
		rt_free(st);
		task_free(t);
		return err;
	}
	t->pth = *th;
	pth_add(t);
	if (attr) {
		int ds = 0;

		if (!pthread_attr_getdetachstate(attr, &ds) && ds == PTHREAD_CREATE_DETACHED)
			if (__atomic_fetch_or(&t->life, TASK_DETACHED, __ATOMIC_ACQ_REL) & TASK_EXITED) {
				pth_remove(t);
				task_free(t);
			}
	}
	return 0;
}

/* After a successful join: the thread's life happens before. */
static int joined(struct task *t, int err)
{
	if (!t)
		return err;	/* a thread mnrace did not see start */
	if (err) {
		pth_add(t);	/* not joined after all */
		return err;
	}
	task_acquire(task_cur(), &t->exit_vc);
	task_free(t);
	return 0;
}

MNR_EXPORT int pthread_join(pthread_t th, void **ret)
{
	struct task *t = pth_find(th, true);

	return joined(t, REAL(pthread_join)(th, ret));
}

MNR_EXPORT int pthread_tryjoin_np(pthread_t th, void **ret)
{
	struct task *t = pth_find(th, true);

	return joined(t, REAL(pthread_tryjoin_np)(th, ret));
}

MNR_EXPORT int pthread_timedjoin_np(pthread_t th, void **ret, const struct timespec *ts)
{
	struct task *t = pth_find(th, true);

	return joined(t, REAL(pthread_timedjoin_np)(th, ret, ts));
}

MNR_EXPORT int pthread_detach(pthread_t th)
{
	struct task *t = pth_find(th, false);
	int err;

	/* Marked before the real detach, which may free the descriptor of
	 * an ended thread for the next pthread_create. */
	if (!t)
		return REAL(pthread_detach)(th);
	if (__atomic_fetch_or(&t->life, TASK_DETACHED, __ATOMIC_ACQ_REL) & TASK_EXITED) {
		pth_remove(t);
		task_free(t);
	}
	err = REAL(pthread_detach)(th);
	return err;
}

MNR_EXPORT void pthread_exit(void *ret)
{
	struct task *t = mnr_cur;

	/* The main thread is not in the table: its end is the process's. */
	if (t && pth_find(pthread_self(), false) == t)
		thread_done(t);
	REAL(pthread_exit)(ret);
	__builtin_unreachable();
}

/* ---- mutexes and spinlocks ---- */

static void locked(struct task *t, const void *o, struct site pc)
{
	obj_use(t, o, pc);
	sync_acquire(t, (uintptr_t)o);
}

static void unlocking(struct task *t, const void *o, struct site pc)
{
	obj_use(t, o, pc);
	sync_release(t, (uintptr_t)o);
}

static void destroyed(struct task *t, const void *o, size_t n, struct site pc)
{
	obj_write(t, o, n, pc);
	sync_forget((uintptr_t)o);
}

MNR_EXPORT int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a)
{
	mnr_init_early();
	obj_write(task_cur(), m, sizeof(*m), SITE(pthread_mutex_init));
	sync_forget((uintptr_t)m);
	return REAL(pthread_mutex_init)(m, a);
}

MNR_EXPORT int pthread_mutex_destroy(pthread_mutex_t *m)
{
	destroyed(task_cur(), m, sizeof(*m), SITE(pthread_mutex_destroy));
	return REAL(pthread_mutex_destroy)(m);
}

/*
 * A lock that finds a default mutex held yields its CPU and tries again,
 * up to MUTEX_YIELDS times, before it waits in glibc's futex.  All of
 * mnrace's work for a lock and an unlock is inside the critical section
 * (the acquire after the lock, the release before the unlock), so with
 * more threads than CPUs a waiter nearly always found the mutex held and
 * slept in the futex, and nearly every unlock then paid a futex_wake,
 * which on a KVM guest wakes a halted vCPU with an IPI.  On 2026-12-02
 * (AMD EPYC Zen 4, 2 vCPUs, KVM) pthreads mutex_heavy (4 threads)
 * spent 58% of its samples in the kernel (perf record, cpu-clock;
 * under lll_lock_wake 31%, under lll_lock_wait 21%) against TSan's 38%,
 * and 1.0 s of system time against TSan's 0.4.  A yielding waiter stays
 * runnable: it leaves the futex word unmarked, so the holder's unlock
 * stays in user space, and it gives its CPU to the holder when the
 * holder is the thread waiting for that CPU.
 *
 * Measured the same day, 8 alternating runs, medians of per-pair ratios
 * to TSan (wall, CPU): without, 0.93 and 1.10; with 2 yields 0.42 and
 * 0.54, 4: 0.38 and 0.47, 8: 0.36 and 0.45, 16: 0.32 and 0.42, 32: 0.31
 * and 0.40.  Polling with PAUSE instead (16 to 4096 polls) was as fast in
 * some runs and 1.3x TSan in a third of them, both CPUs spinning.
 */
#define MUTEX_YIELDS	16

/*
 * Only the default kind (PTHREAD_MUTEX_TIMED_NP, no flags): its lock word
 * is 0 when free and its trylock takes it as its lock would.  The
 * others (recursive, error-checking, adaptive, robust, PI, shared) go
 * straight to glibc's lock, whose checks and waits are their own.
 */
static bool mutex_lock_yielding(pthread_mutex_t *m)
{
	if (__atomic_load_n(&m->__data.__kind, __ATOMIC_RELAXED) != PTHREAD_MUTEX_TIMED_NP)
		return false;
	for (int n = 0; n < MUTEX_YIELDS; n++) {
		if (!__atomic_load_n(&m->__data.__lock, __ATOMIC_RELAXED) &&
		    !REAL(pthread_mutex_trylock)(m))
			return true;
		sched_yield();
	}
	return false;
}

MNR_EXPORT int pthread_mutex_lock(pthread_mutex_t *m)
{
	int err = mutex_lock_yielding(m) ? 0 : REAL(pthread_mutex_lock)(m);

	/* EOWNERDEAD: the lock is taken all the same. */
	if (!err || err == EOWNERDEAD)
		locked(task_cur(), m, SITE(pthread_mutex_lock));
	return err;
}

MNR_EXPORT int pthread_mutex_trylock(pthread_mutex_t *m)
{
	int err = REAL(pthread_mutex_trylock)(m);

	if (!err || err == EOWNERDEAD)
		locked(task_cur(), m, SITE(pthread_mutex_trylock));
	else
		obj_use(task_cur(), m, SITE(pthread_mutex_trylock));
	return err;
}

MNR_EXPORT int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *ts)
{
	int err = REAL(pthread_mutex_timedlock)(m, ts);

	if (!err || err == EOWNERDEAD)
		locked(task_cur(), m, SITE(pthread_mutex_timedlock));
	return err;
}

MNR_EXPORT int pthread_mutex_clocklock(pthread_mutex_t *m, clockid_t c,
				       const struct timespec *ts)
{
	int err = REAL(pthread_mutex_clocklock)(m, c, ts);

	if (!err || err == EOWNERDEAD)
		locked(task_cur(), m, SITE(pthread_mutex_clocklock));
	return err;
}

MNR_EXPORT int pthread_mutex_unlock(pthread_mutex_t *m)
{
	unlocking(task_cur(), m, SITE(pthread_mutex_unlock));
	return REAL(pthread_mutex_unlock)(m);
}

MNR_EXPORT int pthread_spin_init(pthread_spinlock_t *l, int pshared)
{
	mnr_init_early();
	obj_write(task_cur(), (void *)l, sizeof(*l), SITE(pthread_spin_init));
	sync_forget((uintptr_t)l);
	return REAL(pthread_spin_init)(l, pshared);
}

MNR_EXPORT int pthread_spin_destroy(pthread_spinlock_t *l)
{
	destroyed(task_cur(), (void *)l, sizeof(*l), SITE(pthread_spin_destroy));
	return REAL(pthread_spin_destroy)(l);
}

MNR_EXPORT int pthread_spin_lock(pthread_spinlock_t *l)
{
	int err = REAL(pthread_spin_lock)(l);

	if (!err)
		locked(task_cur(), (void *)l, SITE(pthread_spin_lock));
	return err;
}

MNR_EXPORT int pthread_spin_trylock(pthread_spinlock_t *l)
{
	int err = REAL(pthread_spin_trylock)(l);

	if (!err)
		locked(task_cur(), (void *)l, SITE(pthread_spin_trylock));
	return err;
}

MNR_EXPORT int pthread_spin_unlock(pthread_spinlock_t *l)
{
	unlocking(task_cur(), (void *)l, SITE(pthread_spin_unlock));
	return REAL(pthread_spin_unlock)(l);
}

/* ---- rwlocks ---- */

MNR_EXPORT int pthread_rwlock_init(pthread_rwlock_t *l, const pthread_rwlockattr_t *a)
{
	mnr_init_early();
	obj_write(task_cur(), l, sizeof(*l), SITE(pthread_rwlock_init));
	sync_forget((uintptr_t)l);
	return REAL(pthread_rwlock_init)(l, a);
}

MNR_EXPORT int pthread_rwlock_destroy(pthread_rwlock_t *l)
{
	destroyed(task_cur(), l, sizeof(*l), SITE(pthread_rwlock_destroy));
	return REAL(pthread_rwlock_destroy)(l);
}

/* A reader sees the writers before it; a writer everyone before it. */
static int rd_locked(pthread_rwlock_t *l, int err, struct site pc)
{
	struct task *t = task_cur();

	obj_use(t, l, pc);
	if (!err)
		sync_acquire(t, (uintptr_t)l);
	return err;
}

static int wr_locked(pthread_rwlock_t *l, int err, struct site pc)
{
	struct task *t = task_cur();
	struct sync *s;

	obj_use(t, l, pc);
	if (err)
		return err;
	s = sync_lock((uintptr_t)l);
	task_acquire(t, &s->clock);
	task_acquire(t, &s->rclock);
	s->writer = t->id;
	sync_unlock(s);
	return 0;
}

MNR_EXPORT int pthread_rwlock_rdlock(pthread_rwlock_t *l)
{
	return rd_locked(l, REAL(pthread_rwlock_rdlock)(l), SITE(pthread_rwlock_rdlock));
}

MNR_EXPORT int pthread_rwlock_tryrdlock(pthread_rwlock_t *l)
{
	return rd_locked(l, REAL(pthread_rwlock_tryrdlock)(l), SITE(pthread_rwlock_tryrdlock));
}

MNR_EXPORT int pthread_rwlock_timedrdlock(pthread_rwlock_t *l, const struct timespec *ts)
{
	return rd_locked(l, REAL(pthread_rwlock_timedrdlock)(l, ts), SITE(pthread_rwlock_timedrdlock));
}

MNR_EXPORT int pthread_rwlock_wrlock(pthread_rwlock_t *l)
{
	return wr_locked(l, REAL(pthread_rwlock_wrlock)(l), SITE(pthread_rwlock_wrlock));
}

MNR_EXPORT int pthread_rwlock_trywrlock(pthread_rwlock_t *l)
{
	return wr_locked(l, REAL(pthread_rwlock_trywrlock)(l), SITE(pthread_rwlock_trywrlock));
}

MNR_EXPORT int pthread_rwlock_timedwrlock(pthread_rwlock_t *l, const struct timespec *ts)
{
	return wr_locked(l, REAL(pthread_rwlock_timedwrlock)(l, ts), SITE(pthread_rwlock_timedwrlock));
}

MNR_EXPORT int pthread_rwlock_clockrdlock(pthread_rwlock_t *l, clockid_t c,
					  const struct timespec *ts)
{
	return rd_locked(l, REAL(pthread_rwlock_clockrdlock)(l, c, ts), SITE(pthread_rwlock_clockrdlock));
}

MNR_EXPORT int pthread_rwlock_clockwrlock(pthread_rwlock_t *l, clockid_t c,
					  const struct timespec *ts)
{
	return wr_locked(l, REAL(pthread_rwlock_clockwrlock)(l, c, ts), SITE(pthread_rwlock_clockwrlock));
}

MNR_EXPORT int pthread_rwlock_unlock(pthread_rwlock_t *l)
{
	struct task *t = task_cur();
	struct sync *s;

	obj_use(t, l, SITE(pthread_rwlock_unlock));
	s = sync_lock((uintptr_t)l);
	if (s->writer == t->id) {
		s->writer = 0;
		task_release(t, &s->clock);
	} else {
		task_release(t, &s->rclock);
	}
	sync_unlock(s);
	return REAL(pthread_rwlock_unlock)(l);
}

/* ---- condition variables ---- */

MNR_EXPORT int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *a)
{
	mnr_init_early();
	obj_write(task_cur(), c, sizeof(*c), SITE(pthread_cond_init));
	return REAL(pthread_cond_init)(c, a);
}

MNR_EXPORT int pthread_cond_destroy(pthread_cond_t *c)
{
	obj_write(task_cur(), c, sizeof(*c), SITE(pthread_cond_destroy));
	return REAL(pthread_cond_destroy)(c);
}

/* A wait unlocks the mutex and, whatever its result, holds it again. */
static void cond_enter(pthread_cond_t *c, pthread_mutex_t *m, struct site pc)
{
	struct task *t = task_cur();

	obj_use(t, c, pc);
	unlocking(t, m, pc);
}

MNR_EXPORT int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
	struct site pc = SITE(pthread_cond_wait);
	int err;

	cond_enter(c, m, pc);
	err = REAL(pthread_cond_wait)(c, m);
	locked(task_cur(), m, pc);
	return err;
}

MNR_EXPORT int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m,
				      const struct timespec *ts)
{
	struct site pc = SITE(pthread_cond_timedwait);
	int err;

	cond_enter(c, m, pc);
	err = REAL(pthread_cond_timedwait)(c, m, ts);
	locked(task_cur(), m, pc);
	return err;
}

MNR_EXPORT int pthread_cond_clockwait(pthread_cond_t *c, pthread_mutex_t *m,
				      clockid_t clk, const struct timespec *ts)
{
	struct site pc = SITE(pthread_cond_clockwait);
	int err;

	cond_enter(c, m, pc);
	err = REAL(pthread_cond_clockwait)(c, m, clk, ts);
	locked(task_cur(), m, pc);
	return err;
}

MNR_EXPORT int pthread_cond_signal(pthread_cond_t *c)
{
	obj_use(task_cur(), c, SITE(pthread_cond_signal));
	return REAL(pthread_cond_signal)(c);
}

MNR_EXPORT int pthread_cond_broadcast(pthread_cond_t *c)
{
	obj_use(task_cur(), c, SITE(pthread_cond_broadcast));
	return REAL(pthread_cond_broadcast)(c);
}

/* ---- barriers ---- */

MNR_EXPORT int pthread_barrier_init(pthread_barrier_t *b, const pthread_barrierattr_t *a,
				    unsigned n)
{
	mnr_init_early();
	obj_write(task_cur(), b, sizeof(*b), SITE(pthread_barrier_init));
	sync_forget((uintptr_t)b);
	return REAL(pthread_barrier_init)(b, a, n);
}

MNR_EXPORT int pthread_barrier_destroy(pthread_barrier_t *b)
{
	destroyed(task_cur(), b, sizeof(*b), SITE(pthread_barrier_destroy));
	return REAL(pthread_barrier_destroy)(b);
}

MNR_EXPORT int pthread_barrier_wait(pthread_barrier_t *b)
{
	struct task *t = task_cur();
	int err;

	obj_use(t, b, SITE(pthread_barrier_wait));
	sync_release(t, (uintptr_t)b);
	err = REAL(pthread_barrier_wait)(b);
	if (err == 0 || err == PTHREAD_BARRIER_SERIAL_THREAD) {
		sync_acquire(t, (uintptr_t)b);
		/* Used on the way out too: a destroy right after the serial
		 * thread's return races with the others' (as in TSan). */
		obj_use(t, b, SITE(pthread_barrier_wait));
	}
	return err;
}

/* ---- semaphores ---- */

MNR_EXPORT int sem_init(sem_t *s, int pshared, unsigned v)
{
	mnr_init_early();
	obj_write(task_cur(), s, sizeof(*s), SITE(sem_init));
	sync_forget((uintptr_t)s);
	return REAL(sem_init)(s, pshared, v);
}

MNR_EXPORT int sem_destroy(sem_t *s)
{
	destroyed(task_cur(), s, sizeof(*s), SITE(sem_destroy));
	return REAL(sem_destroy)(s);
}

static int sem_taken(sem_t *s, int ret, struct site pc)
{
	struct task *t = task_cur();

	obj_use(t, s, pc);
	if (ret == 0)
		sync_acquire(t, (uintptr_t)s);
	return ret;
}

MNR_EXPORT int sem_wait(sem_t *s)
{
	return sem_taken(s, REAL(sem_wait)(s), SITE(sem_wait));
}

MNR_EXPORT int sem_trywait(sem_t *s)
{
	return sem_taken(s, REAL(sem_trywait)(s), SITE(sem_trywait));
}

MNR_EXPORT int sem_timedwait(sem_t *s, const struct timespec *ts)
{
	return sem_taken(s, REAL(sem_timedwait)(s, ts), SITE(sem_timedwait));
}

MNR_EXPORT int sem_clockwait(sem_t *s, clockid_t c, const struct timespec *ts)
{
	return sem_taken(s, REAL(sem_clockwait)(s, c, ts), SITE(sem_clockwait));
}

MNR_EXPORT int sem_post(sem_t *s)
{
	struct task *t = task_cur();

	obj_use(t, s, SITE(sem_post));
	sync_release(t, (uintptr_t)s);
	return REAL(sem_post)(s);
}

/* ---- once ---- */

/* pthread_once's function takes no argument: the one being run on this
 * thread is passed here (nested onces restore it). */
static __thread struct { void (*fn)(void); pthread_once_t *o; } once_now;

static void once_trampoline(void)
{
	void (*fn)(void) = once_now.fn;
	pthread_once_t *o = once_now.o;

	fn();
	sync_release(task_cur(), (uintptr_t)o);
}

MNR_EXPORT int pthread_once(pthread_once_t *o, void (*fn)(void))
{
	typeof(once_now) saved = once_now;
	struct task *t;
	int err;

	/* The runtime's own call (libmn's ring, made during a report) makes
	 * no edge for the task the report is about. */
	if (unlikely(mnr_in_rt))
		return REAL(pthread_once)(o, fn);
	mnr_init_early();
	t = task_cur();
	obj_use(t, o, SITE(pthread_once));
	once_now.fn = fn;
	once_now.o = o;
	err = REAL(pthread_once)(o, once_trampoline);
	once_now = saved;
	if (!err)
		sync_acquire(task_cur(), (uintptr_t)o);
	return err;
}
