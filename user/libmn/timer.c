// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-P timers: a 4-ary heap by deadline in each P, guarded by the P's
 * timers_lock (Go's runtime/time.go, without its lazy deletion: a timer
 * keeps its index instead).  The P's own M runs expired timers at each
 * schedule (mn_timers_check, from findrunnable); sysmon runs those of
 * idle Ps, of Ps in system calls and of Ps held by one task, and sleeps
 * until the earliest one it must run (mn_timers_sysmon, sysmon.c).
 *
 * A timer's callback runs without the lock held and gets copies of
 * (arg, seq), never the timer itself: the timer may live on the stack of
 * a task that resumes and returns as soon as the callback wakes it.
 * mn_sleep needs no struct mn_timer: its heap entry is the sleeping task
 * itself (ENT_SLEEPER), which firing readies.
 *
 * Also here: the runtime's clock (mn_nanotime, CLOCK_MONOTONIC) and mn_now.
 */
#include <stdlib.h>
#include <time.h>

#include "internal.h"
#include "race.h"

/* ---- the heap: every function here must hold p->timers_lock ---- */

/*
 * A 4-ary heap of (when, timer) entries: comparisons read the array only.
 * The timers themselves live on their tasks' stacks, one page apart each,
 * so reading t->when at every level cost a cache and TLB miss per level
 * (perf: heap_remove was 22% of 10k sleeping tasks); now only the entries
 * that move are touched, to update their idx.  4-ary halves the depth.
 *
 * A sleeping task's entry is the task (x = g | ENT_SLEEPER): a sleep is
 * never deleted, so it keeps no idx, and firing it reads nothing but the
 * entry.  With 10k sleepers the idx store into each moved timer, a miss
 * at every level of every sift, was still most of heap_remove, and the
 * reads of each fired timer most of mn_timers_run (perf).
 */
struct mn_timer_ent {
	int64_t when;
	uintptr_t x;		/* struct mn_timer *, or struct mn_g * | ENT_SLEEPER */
};
#define ENT_SLEEPER ((uintptr_t)1)

static inline void heap_set(struct mn_p *p, int i, struct mn_timer_ent e)
{
	p->timers[i] = e;
	if (!(e.x & ENT_SLEEPER))
		((struct mn_timer *)e.x)->idx = i;
}

static void sift_up(struct mn_p *p, int i)
{
	struct mn_timer_ent e = p->timers[i];

	while (i > 0) {
		int parent = (i - 1) / 4;

		if (p->timers[parent].when <= e.when)
			break;
		heap_set(p, i, p->timers[parent]);
		i = parent;
	}
	heap_set(p, i, e);
}

static void sift_down(struct mn_p *p, int i)
{
	struct mn_timer_ent e = p->timers[i];

	for (;;) {
		int c = 4 * i + 1, end = c + 4 < p->ntimers ? c + 4 : p->ntimers, best = -1;
		int64_t bw = e.when;

		for (int k = c; k < end; k++) {
			if (p->timers[k].when < bw) {
				bw = p->timers[k].when;
				best = k;
			}
		}
		if (best < 0)
			break;
		heap_set(p, i, p->timers[best]);
		i = best;
	}
	heap_set(p, i, e);
}

static void heap_remove(struct mn_p *p, int i)
{
	int last = --p->ntimers;

	if (i != last) {
		heap_set(p, i, p->timers[last]);
		sift_down(p, i);
		sift_up(p, i);
	}
}

/*
 * Publish p's earliest when after a change of the heap; @armed: the
 * change was an arming, which may make it earlier.  Must hold
 * p->timers_lock (checked: every change of the heap ends here).
 *
 * Only an earlier when must be seen at once: by sysmon before it sleeps
 * (a seq_cst store, paired with its store of sysmon_until, internal.h).
 * A removal only makes it later or 0, and a reader that still sees the
 * earlier one looks too early, never too late (sysmon, pidleput, the
 * deadlock check): a plain release store.  No store when it did not
 * change, as arming a later timer does not.  (perf, 10k sleepers: the
 * locked store for every timer was 14% of the CPU time, once per pass
 * of mn_timers_run still 8%.)
 */
static void update_timer0(struct mn_p *p, bool armed)
{
	int64_t when = p->ntimers ? p->timers[0].when : 0;

	mn_check(mn_lk_held(&p->timers_lock), "timers of P %d changed without their lock", p->id);
	if (atomic_load_explicit(&p->timer0, memory_order_relaxed) == when)
		return;
	if (armed)
		atomic_store(&p->timer0, when);
	else
		atomic_store_explicit(&p->timer0, when, memory_order_release);
}

/* ---- arming and disarming ---- */

/* Put entry @x due at @when in the heap of the caller's P (P 0 on a
 * thread without one) and tell sysmon if it must wake earlier for it.
 * Any thread; must not hold a P's timers_lock. */
static void heap_add(int64_t when, uintptr_t x)
{
	struct mn_m *m = mn_getm();
	struct mn_p *p = (m && m->p) ? m->p : &mn_sched.allp[0];

	mn_lk_lock(&p->timers_lock);
	if (p->ntimers == p->timers_cap) {
		int cap = p->timers_cap ? 2 * p->timers_cap : 64;
		struct mn_timer_ent *n;

		mn_race_rt_acquire(&p->timers);	/* the heap another thread grew */
		n = realloc(p->timers, sizeof(*n) * (size_t)cap);
		if (!n)
			mn_fatal("out of memory adding a timer");
		mn_race_rt_release(&p->timers);
		p->timers = n;
		p->timers_cap = cap;
	}
	heap_set(p, p->ntimers, (struct mn_timer_ent){ when, x });
	if (!(x & ENT_SLEEPER))
		__atomic_store_n(&((struct mn_timer *)x)->p, p, __ATOMIC_RELEASE);
	sift_up(p, p->ntimers++);
	update_timer0(p, true);
	mn_lk_unlock(&p->timers_lock);
	/* seq_cst pairs with sysmon's store of sysmon_until (sysmon.c). */
	if (mn_timers_watch(p, when) < atomic_load(&mn_sched.sysmon_until))
		mn_sysmon_kick();
}

/* Arm t, which is in no heap (checked: it would be in two).  Any thread;
 * must not hold a P's timers_lock. */
void mn_timer_add(struct mn_timer *t)
{
	mn_check(!__atomic_load_n(&t->p, __ATOMIC_RELAXED), "mn_timer_add: timer already armed");
	mn_race_release_store(t);	/* the arming before the callback (race.h) */
	if (t->when <= 0)
		t->when = 1;
	/* t may fire, and its owner return, as soon as the lock drops */
	heap_add(t->when, (uintptr_t)t);
}

/* Any thread; must not hold a P's timers_lock. */
bool mn_timer_del(struct mn_timer *t)
{
	struct mn_p *p = __atomic_load_n(&t->p, __ATOMIC_ACQUIRE);

	if (!p)
		return false;
	mn_lk_lock(&p->timers_lock);
	if (t->p != p) {
		mn_lk_unlock(&p->timers_lock);
		return false;
	}
	heap_remove(p, t->idx);
	__atomic_store_n(&t->p, NULL, __ATOMIC_RELEASE);
	update_timer0(p, false);
	mn_lk_unlock(&p->timers_lock);
	return true;
}

/*
 * Run p's timers due by @now, in deadline order.  Owner P or sysmon; no
 * runtime lock held: callbacks run unlocked and ready tasks (sched.lock).
 * Up to TIMERS_BATCH due timers leave the heap under one hold of the
 * lock, their callbacks run after it: relocking for each was 30% of this
 * function with 10k sleepers (perf), the rest the misses on each timer,
 * which is why (fn, arg, seq) are copied while the lock is held.  Returns
 * the earliest when left (0: none) as the last batch left it.
 */
#define TIMERS_BATCH 64
static void sleep_fire(void *g, uint64_t seq);

int64_t mn_timers_run(struct mn_p *p, int64_t now)
{
	struct {
		void (*fn)(void *, uint64_t);
		void *arg;
		uint64_t seq;
	} due[TIMERS_BATCH];
	int64_t next;
	int n;

	do {
		n = 0;
		mn_lk_lock(&p->timers_lock);
		while (n < TIMERS_BATCH && p->ntimers && p->timers[0].when <= now) {
			uintptr_t x = p->timers[0].x;
			struct mn_timer *t = (struct mn_timer *)x;

			heap_remove(p, 0);
			if (x & ENT_SLEEPER) {
				due[n++] = (typeof(due[0])){ sleep_fire, (void *)(x & ~ENT_SLEEPER), 0 };
				continue;
			}
			due[n].fn = t->fn;
			due[n].arg = t->arg;
			due[n].seq = t->seq;
			n++;
			mn_race_acquire(t);	/* while t is sure to exist */
			__atomic_store_n(&t->p, NULL, __ATOMIC_RELEASE);
		}
		next = p->ntimers ? p->timers[0].when : 0;
		update_timer0(p, false);
		mn_lk_unlock(&p->timers_lock);
		for (int i = 0; i < n; i++)
			due[i].fn(due[i].arg, due[i].seq);
	} while (n == TIMERS_BATCH);
	return next;
}

/*
 * Run p's due timers: the check at the top of findrunnable (Go's
 * checkTimers).  The clock is read only when needed: not with no timer,
 * not when the earliest is due by the time the task that just parked in
 * mn_sleep read (m->now_hint, valid in the same schedule, p->schedtick):
 * a clock read per sleep and one per schedule were 13% of 10k sleepers
 * (perf, vDSO clock_gettime).  That time is earlier than now: a timer
 * runs later by the park's few hundred ns at most, never early.  g0 of
 * m, which holds p; no runtime lock held (mn_timers_run).
 */
void mn_timers_check(struct mn_m *m, struct mn_p *p)
{
	int64_t next, now = m->now_tick == p->schedtick ? m->now_hint : 0;

	m->now_hint = 0;
	if (!atomic_load_explicit(&p->timer0, memory_order_relaxed))
		return;
	next = atomic_load(&p->timer0);
	if (!now || next > now)
		now = mn_nanotime();
	if (next && next <= now)
		mn_timers_run(p, now);
}

/*
 * sysmon's look at p's timers at @now: it runs those due for it
 * (mn_timers_watch) unless p is running and has scheduled since sysmon
 * last deferred to it, that is, its M is going through findrunnable and
 * will run them.  Then sysmon looks again SYSMON_TIMER_SLACK later: a P
 * kept by one task gets its timers run at most two slacks late.  When
 * the Ps were merely behind (10k sleepers: the earliest timer a slack
 * overdue), sysmon ran their timers, readying through the global queue,
 * and woke every 130 us to do it (perf: 800 epoll waits in 110 ms).
 * Returns when sysmon must look again (0: no timer).  sysmon only.
 */
int64_t mn_timers_sysmon(struct mn_p *p, int64_t now)
{
	int64_t t = mn_timers_watch(p, atomic_load(&p->timer0));
	uint32_t tick = __atomic_load_n(&p->schedtick, __ATOMIC_RELAXED);

	p->sysmon_timer_defer = 0;
	if (!t || t > now)
		return t;
	if (atomic_load(&p->status) == P_RUNNING && tick != p->sysmon_timer_tick) {
		p->sysmon_timer_tick = tick;
		p->sysmon_timer_defer = now + SYSMON_TIMER_SLACK;
		return p->sysmon_timer_defer;
	}
	mn_timers_run(p, now);
	return mn_timers_watch(p, atomic_load(&p->timer0));
}

/* When sysmon must look at p's timers now that it has (mn_timers_sysmon):
 * for its recheck before it sleeps.  sysmon only. */
int64_t mn_timers_sysmon_due(struct mn_p *p)
{
	int64_t t = mn_timers_watch(p, atomic_load(&p->timer0));

	return t && t < p->sysmon_timer_defer ? p->sysmon_timer_defer : t;
}

/* Any thread, no lock: a snapshot of every P's earliest timer. */
int64_t mn_timers_earliest(void)
{
	int64_t best = 0, t;

	for (int i = 0; i < mn_sched.nprocs; i++) {
		t = atomic_load(&mn_sched.allp[i].timer0);
		if (t && (!best || t < best))
			best = t;
	}
	return best;
}

/* ---- sleeping ---- */

/*
 * A sleeper's entry fired: wake it (no hand-off, see mn_ready_next).  Its
 * stack, where the switch into it will load the saved registers, is
 * brought in now, while it waits in the run queue: that first touch of
 * the stack, a cache and TLB miss for each of 10k sleepers, was most of
 * mn_ctx_switch's 28% (perf, timers_10k: 7.5% with the prefetch, part
 * of the miss moving here to the load of g->sp; 2-4% of the wall time).
 */
static void sleep_fire(void *g, uint64_t seq)
{
	__builtin_prefetch(((struct mn_g *)g)->sp, 1);
	mn_ready_next(g, false);
}

struct sleep_req {
	struct mn_g *g;
	int64_t when;
};

/* On g0 once the sleeper is parked, so it cannot fire early; the request
 * is on the sleeper's stack, which stays put until it is woken. */
static void sleep_arm(void *arg)
{
	struct sleep_req *r = arg;

	heap_add(r->when, (uintptr_t)r->g | ENT_SLEEPER);
}

void mn_sleep(int64_t ns)
{
	struct mn_g *g = mn_getg();
	struct sleep_req r;
	int64_t now;

	if (!g) {
		struct timespec ts = { ns / 1000000000LL, ns % 1000000000LL };

		if (ns > 0)
			nanosleep(&ts, NULL);
		return;
	}
	if (ns <= 0) {
		mn_yield();
		return;
	}
	now = mn_nanotime();
	r = (struct sleep_req){ g, now + ns };
	g->m->now_hint = now;	/* for the timer check after the park */
	g->m->now_tick = g->m->p->schedtick;
	mn_park(sleep_arm, &r, "sleep");
}

/* ---- the clock ---- */

int64_t mn_nanotime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t mn_now(void)
{
	return mn_nanotime();
}
