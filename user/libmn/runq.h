/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * runq.h: the run queues, after Go's runqput, runqget, runqsteal and
 * globrunqget.  Included by proc.c alone: the operations stay static, so
 * the compiler inlines them into the scheduler loop as before they had a
 * file of their own.
 *
 * Owns: each P's local queue (the ring runq[RUNQ_SIZE] between runqhead
 * and runqtail, and the one-G slot runnext) and the global queue
 * (mn_sched.runqhead/runqtail, counted by runqsize).
 *
 * Invariants:
 *  - A local queue has a single producer, the M holding its P: only it
 *    stores runqtail (runqput, and runqsteal into its own queue).  Any M
 *    consumes, by CAS on runqhead (runqget, runqgrab, runqputslow).
 *  - 0 <= runqtail - runqhead <= RUNQ_SIZE; a consumer that computes
 *    more read the two at different times and retries.
 *  - runnext is emptied only by exchange or CAS, so a G in it runs once.
 *  - The global queue's list is touched only under sched.lock; runqsize
 *    is also read without it, as a hint that it is worth taking the lock.
 *  - A full local queue spills half of itself to the global queue
 *    (runqputslow), which takes sched.lock: runqput may lock sched.lock
 *    unless the queue has room, hence globrunqget's contract.
 */
#ifndef MN_RUNQ_H
#define MN_RUNQ_H

#include <unistd.h>

#include "internal.h"
#include "frame.h"

/* ---- global run queue (sched.lock held) ---- */

/* Must hold sched.lock (checked).  head..tail: n Gs linked by schedlink. */
static void globrunqputbatch(struct mn_g *head, struct mn_g *tail, int n)
{
	mn_check(mn_lk_held(&mn_sched.lock), "globrunqputbatch: sched.lock not held");
	tail->schedlink = NULL;
	if (mn_sched.runqtail)
		mn_sched.runqtail->schedlink = head;
	else
		mn_sched.runqhead = head;
	mn_sched.runqtail = tail;
	atomic_fetch_add(&mn_sched.runqsize, n);
}

/* Must hold sched.lock (checked). */
static void globrunqput(struct mn_g *g)
{
	globrunqputbatch(g, g, 1);
}

static bool runqput(struct mn_p *p, struct mn_g *g, bool next);

/*
 * Take a fair share of the global queue (at most @max if > 0): return one
 * G and put the rest in p's local queue.
 *
 * Must hold sched.lock, owner P only, and p's local queue must have room
 * for the Gs put there (checked, but for the owner): runqput on a full
 * queue spills to the global queue under sched.lock, which we hold, and
 * would deadlock.  An empty local queue always has room (findrunnable
 * after runqget failed), and max == 1 puts none there (the fairness
 * check, whatever the local queue holds).
 */
static struct mn_g *globrunqget(struct mn_p *p, int max)
{
	int size = atomic_load(&mn_sched.runqsize);
	int n;
	struct mn_g *g, *g2;

	if (size == 0)
		return NULL;
	n = size / mn_sched.nprocs + 1;
	if (n > size)
		n = size;
	if (max > 0 && n > max)
		n = max;
	if (n > RUNQ_SIZE / 2)
		n = RUNQ_SIZE / 2;
	mn_check(mn_lk_held(&mn_sched.lock), "globrunqget: sched.lock not held");
	/* Consumers only ever free slots: what we see is a lower bound. */
	mn_check(RUNQ_SIZE - (atomic_load_explicit(&p->runqtail, memory_order_relaxed) -
			      atomic_load_explicit(&p->runqhead, memory_order_relaxed)) >= (uint32_t)n - 1,
		 "globrunqget: P %d's local queue has no room for %d tasks", p->id, n - 1);
	mn_dcheck(mn_owns_p(p), "globrunqget: P %d is not the caller's", p->id);
	atomic_fetch_sub(&mn_sched.runqsize, n);
	g = mn_sched.runqhead;
	mn_sched.runqhead = g->schedlink;
	if (!mn_sched.runqhead)
		mn_sched.runqtail = NULL;
	while (--n > 0) {
		g2 = mn_sched.runqhead;
		mn_sched.runqhead = g2->schedlink;
		if (!mn_sched.runqhead)
			mn_sched.runqtail = NULL;
		runqput(p, g2, false);
	}
	return g;
}

/* ---- local run queue: single producer (the owner P), many consumers ---- */

/*
 * Owner P only, must not hold sched.lock (it takes it).  Moves half of
 * the full local queue (h, t as runqput read them) and g to the global
 * queue; false if a consumer moved runqhead first (retry runqput).
 */
static bool runqputslow(struct mn_p *p, struct mn_g *g, uint32_t h, uint32_t t)
{
	struct mn_g *batch[RUNQ_SIZE / 2 + 1];
	uint32_t n = (t - h) / 2, i;

	for (i = 0; i < n; i++)
		batch[i] = atomic_load_explicit(&p->runq[(h + i) % RUNQ_SIZE], memory_order_relaxed);
	if (!atomic_compare_exchange_strong_explicit(&p->runqhead, &h, h + n,
						     memory_order_release, memory_order_relaxed))
		return false;
	batch[n] = g;
	for (i = 0; i < n; i++)
		batch[i]->schedlink = batch[i + 1];
	mn_lk_lock(&mn_sched.lock);
	globrunqputbatch(batch[0], batch[n], (int)n + 1);
	mn_lk_unlock(&mn_sched.lock);
	return true;
}

/*
 * Queue g on p: in runnext if @next (the G there moves to the tail), else
 * at the tail.  Owner P only (checked in debug builds: the single-producer
 * rule), and must not hold sched.lock unless the queue has room.
 */
static bool runqput(struct mn_p *p, struct mn_g *g, bool next)
{
	uint32_t h, t;

	mn_dcheck(mn_owns_p(p), "runqput: P %d is not the caller's", p->id);
	if (next) {
		struct mn_g *old = atomic_exchange(&p->runnext, g);

		if (!old)
			return true;
		g = old;	/* kick the old runnext to the tail */
	}
	for (;;) {
		h = atomic_load_explicit(&p->runqhead, memory_order_acquire);
		t = atomic_load_explicit(&p->runqtail, memory_order_relaxed);
		if (t - h < RUNQ_SIZE) {
			atomic_store_explicit(&p->runq[t % RUNQ_SIZE], g, memory_order_relaxed);
			atomic_store_explicit(&p->runqtail, t + 1, memory_order_release);
			return true;
		}
		if (runqputslow(p, g, h, t))
			return true;
	}
}

/*
 * Bring in the stack frame of the G at @h, which runs after the one just
 * taken, and the struct mn_g of the one after it, whose sp the next call
 * reads.  The first touch of a task's stack was a cache and TLB miss
 * (mn_ctx_switch's first load of the frame: 95% of its samples, 4.7% of
 * echo_1000's CPU time with 2000 tasks), and a task running in between
 * gives the prefetch time to land: echo_1000 1.055-1.067 times the
 * requests per second in alternating pairs, on the AMD EPYC host of
 * 2026-12-02.  Only a hint: the Gs may be stolen meanwhile, their sp is
 * read relaxed (mn_g_prepare stores it so) and a stale one only costs a
 * useless prefetch (Gs are never freed, only pooled, and a prefetch of
 * an unmapped stack does not fault).  Not in the TSan flavour, where
 * that read, racing with a thief that starts the G, would be reported.
 * Owner P only.
 */
static inline void runq_prefetch(struct mn_p *p, uint32_t h, uint32_t t)
{
#ifndef MN_TSAN
	struct mn_g *g;
	char *sp;

	if (t == h)
		return;
	g = atomic_load_explicit(&p->runq[h % RUNQ_SIZE], memory_order_relaxed);
	sp = __atomic_load_n(&g->sp, __ATOMIC_RELAXED);
	__builtin_prefetch(sp);
	__builtin_prefetch(sp + MN_FRAME_RET);
	if (t - h > 1)
		__builtin_prefetch(atomic_load_explicit(&p->runq[(h + 1) % RUNQ_SIZE],
							memory_order_relaxed));
#else
	(void)p, (void)h, (void)t;
#endif
}

/* Owner P only: runnext first, then the head. */
static struct mn_g *runqget(struct mn_p *p)
{
	struct mn_g *next = atomic_load(&p->runnext);
	uint32_t h, t;
	struct mn_g *g;

	mn_dcheck(mn_owns_p(p), "runqget: P %d is not the caller's", p->id);
	if (next && atomic_compare_exchange_strong(&p->runnext, &next, NULL))
		return next;
	for (;;) {
		h = atomic_load_explicit(&p->runqhead, memory_order_acquire);
		t = atomic_load_explicit(&p->runqtail, memory_order_relaxed);
		if (t == h)
			return NULL;
		g = atomic_load_explicit(&p->runq[h % RUNQ_SIZE], memory_order_relaxed);
		if (atomic_compare_exchange_strong_explicit(&p->runqhead, &h, h + 1,
							    memory_order_release, memory_order_relaxed)) {
			runq_prefetch(p, h + 1, t);
			return g;
		}
	}
}

/* Any M, no lock: a snapshot, which may be stale as soon as it is taken. */
static bool runqempty(struct mn_p *p)
{
	uint32_t h = atomic_load(&p->runqhead), t = atomic_load(&p->runqtail);

	return h == t && !atomic_load(&p->runnext);
}

/* Grab half of pp's queue into batch (a ring indexed from batchhead).
 * Any M; batch is the ring of the caller's own P, past its tail. */
static uint32_t runqgrab(struct mn_p *pp, struct mn_g *_Atomic *batch, uint32_t batchhead, bool stealnext)
{
	for (;;) {
		uint32_t h = atomic_load_explicit(&pp->runqhead, memory_order_acquire);
		uint32_t t = atomic_load_explicit(&pp->runqtail, memory_order_acquire);
		uint32_t n = t - h, i;

		n = n - n / 2;
		if (n == 0) {
			if (stealnext) {
				struct mn_g *next = atomic_load(&pp->runnext);

				if (next) {
					/* As Go's runqgrab: a running owner is
					 * probably about to run it (a channel
					 * hand-off just put it there), so give it
					 * 3 us.  Stealing at once split ping-pong
					 * pairs across threads, and every hand-off
					 * then woke a thread through a futex. */
					if (atomic_load_explicit(&pp->status, memory_order_relaxed) == P_RUNNING)
						usleep(3);
					if (!atomic_compare_exchange_strong(&pp->runnext, &next, NULL))
						continue;
					atomic_store_explicit(&batch[batchhead % RUNQ_SIZE], next, memory_order_relaxed);
					return 1;
				}
			}
			return 0;
		}
		if (n > RUNQ_SIZE / 2)
			continue;	/* read h and t inconsistently: retry */
		for (i = 0; i < n; i++) {
			struct mn_g *g = atomic_load_explicit(&pp->runq[(h + i) % RUNQ_SIZE], memory_order_relaxed);

			atomic_store_explicit(&batch[(batchhead + i) % RUNQ_SIZE], g, memory_order_relaxed);
		}
		if (atomic_compare_exchange_strong_explicit(&pp->runqhead, &h, h + n,
							    memory_order_release, memory_order_relaxed))
			return n;
	}
}

/* Steal half of pp's queue into p's and return one G of it (runnext
 * too if @stealnext).  Owner of p only, pp != p. */
static struct mn_g *runqsteal(struct mn_p *p, struct mn_p *pp, bool stealnext)
{
	uint32_t t = atomic_load_explicit(&p->runqtail, memory_order_relaxed);
	uint32_t n;
	struct mn_g *g;

	mn_dcheck(mn_owns_p(p) && pp != p, "runqsteal: P %d from P %d", p->id, pp->id);
	n = runqgrab(pp, p->runq, t, stealnext);
	if (n == 0)
		return NULL;
	n--;
	g = atomic_load_explicit(&p->runq[(t + n) % RUNQ_SIZE], memory_order_relaxed);
	if (n == 0)
		return g;
	atomic_store_explicit(&p->runqtail, t + n, memory_order_release);
	return g;
}

#endif
