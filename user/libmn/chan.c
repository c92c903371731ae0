// SPDX-License-Identifier: GPL-2.0-only
/*
 * Channels and select, after Go's runtime/chan.go and select.go.
 *
 * Each channel has a lock, a ring buffer and two queues of waiting
 * sudogs.  A waiter's sudog lives on its own stack; whoever completes the
 * operation copies the element directly to or from the waiter's memory,
 * marks success and readies it.  A task in select has one sudog per case
 * on every channel; the first party to win the task's wakeup token
 * (internal.h) completes the select, the others skip those sudogs.
 *
 * Happens-before (race.h), as in Go's memory model: each buffer slot is
 * an object that every send and receive through it acquires before its
 * copy and release_stores after it, so the k-th receive sees the k-th
 * send and the (k+C)-th send sees the k-th receive; a waiter leaves its
 * clock in its sudog before it parks (release_store), whoever completes
 * the operation acquires the sudog, copies, and release_stores it, and
 * the waiter acquires it once woken (so an unbuffered send and its
 * receive see each other); close releases the channel, a receive that
 * finds it closed acquires it.  Each copy comes between the acquire and
 * the release: a detector that sees libmn's memcpy (TSan's interceptor)
 * sees it ordered with both tasks.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "race.h"
#include "waitq.h"

struct sudog {
	struct mn_wq_link link;		/* in the channel's recvq or sendq */
	struct mn_g *g;
	void *elem;
	mn_chan *c;
	uint64_t token;
	int idx;
	bool is_select;
	bool success;
	bool queued;			/* in a queue (a select's may be taken off by another party) */
};

struct mn_chan {
	uint32_t lock;
	_Atomic int refs;
	bool closed;
	size_t elemsize, cap, count, sendx, recvx;
	char *buf;
	void *recvq[2], *sendq[2];	/* waitq.h lists of sudogs */
};

/* The queue functions: must hold c->lock of the queue's channel. */
static void q_push(void **q, struct sudog *s)
{
	mn_wq_push(q, &s->link);
	s->queued = true;
}

static void q_remove(void **q, struct sudog *s)
{
	if (!s->queued)
		return;
	mn_wq_remove(q, &s->link);
	s->queued = false;
}

/* First waiter we may complete; select waiters whose token is already
 * taken are dropped (their select finished elsewhere). */
static inline struct sudog *q_dequeue(void **q)
{
	struct mn_wq_link *l;
	struct sudog *s;

	if (mn_wq_empty(q))	/* the buffered channel's usual case, inline */
		return NULL;
	while ((l = mn_wq_pop(q))) {
		s = mn_wq_entry(l, struct sudog, link);
		s->queued = false;
		if (!s->is_select || mn_token_win(s->g, s->token))
			return s;
	}
	return NULL;
}

static void wake(struct sudog *s)
{
	s->g->param = s;
	mn_ready(s->g);
}

mn_chan *mn_chan_make(size_t elem_size, size_t cap)
{
	mn_chan *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	/* Elements of size 0 get a byte each: a slot is an address (race.h). */
	if (cap) {
		c->buf = calloc(cap, elem_size ? elem_size : 1);
		if (!c->buf) {
			free(c);
			return NULL;
		}
	}
	c->elemsize = elem_size;
	c->cap = cap;
	atomic_store(&c->refs, 1);
	return c;
}

void mn_chan_free(mn_chan *c)
{
	if (!c)
		return;
	mn_race_rt_release(c);
	if (atomic_fetch_sub(&c->refs, 1) == 1) {
		mn_race_rt_acquire(c);
		free(c->buf);
		free(c);
	}
}

size_t mn_chan_len(mn_chan *c)
{
	size_t n;

	if (!c)
		return 0;
	mn_lk_lock(&c->lock);
	n = c->count;
	mn_lk_unlock(&c->lock);
	return n;
}

size_t mn_chan_cap(mn_chan *c)
{
	return c ? c->cap : 0;
}

static inline void *slot(mn_chan *c, size_t i)
{
	return c->buf + i * c->elemsize;
}

/* The synchronisation object of slot i (race.h). */
static inline void *slot_sync(mn_chan *c, size_t i)
{
	return c->buf + i * (c->elemsize ? c->elemsize : 1);
}

/*
 * Elements of the common sizes are copied with moves of a constant size
 * the compiler inlines: calls to memcpy and memset (through the PLT, three
 * per element sent and received) were a tenth of chan_buffered's time.
 */
static inline void copy(mn_chan *c, void *dst, const void *src)
{
	if (!dst)
		return;
	switch (c->elemsize) {
	case 0:
		return;
#define COPY(n) case n: memcpy(dst, src, n); return;
	COPY(1) COPY(2) COPY(4) COPY(8) COPY(16)
#undef COPY
	default:
		memcpy(dst, src, c->elemsize);
	}
}

/* Only a receive that finds the channel closed zeroes: not hot. */
static inline void zero(mn_chan *c, void *dst)
{
	if (dst && c->elemsize)
		memset(dst, 0, c->elemsize);
}

/* Try to send; true if done.  Fatal on a closed channel.  Must hold
 * c->lock (checked: the line was just locked). */
static inline __attribute__((always_inline)) bool send_locked(mn_chan *c, const void *elem,
								struct sudog **wakeme)
{
	struct sudog *s;

	mn_check(mn_lk_held(&c->lock), "channel send without the channel's lock");
	if (c->closed) {
		mn_lk_unlock(&c->lock);
		mn_fatal_g(mn_getg(), MN_RING_ERR_SEND_CLOSED, "send on closed channel");
	}
	s = q_dequeue(c->recvq);
	if (s) {
		mn_race_acquire(s);
		if (s->elem)
			copy(c, s->elem, elem);
		mn_race_release_store(s);
		s->success = true;
		*wakeme = s;
		return true;
	}
	if (c->count < c->cap) {
		mn_race_acquire(slot_sync(c, c->sendx));
		copy(c, slot(c, c->sendx), elem);
		mn_race_release_store(slot_sync(c, c->sendx));
		if (++c->sendx == c->cap)
			c->sendx = 0;
		c->count++;
		return true;
	}
	return false;
}

/* Try to receive; true if done (*ok false: closed).  Must hold c->lock
 * (checked). */
static inline __attribute__((always_inline)) bool recv_locked(mn_chan *c, void *elem, bool *ok,
								struct sudog **wakeme)
{
	struct sudog *s;

	mn_check(mn_lk_held(&c->lock), "channel receive without the channel's lock");
	s = q_dequeue(c->sendq);
	if (s) {
		if (c->cap == 0) {
			mn_race_acquire(s);
			copy(c, elem, s->elem);
			mn_race_release_store(s);
		} else {
			/* Buffer full: take the head, the sender's value
			 * goes to the tail (the same slot), which then
			 * holds the sender's clock and ours. */
			mn_race_acquire(slot_sync(c, c->recvx));
			copy(c, elem, slot(c, c->recvx));
			mn_race_acquire(s);
			copy(c, slot(c, c->recvx), s->elem);
			mn_race_release_store(slot_sync(c, c->recvx));
			mn_race_release_store(s);
			if (++c->recvx == c->cap)
				c->recvx = 0;
			c->sendx = c->recvx;
		}
		s->success = true;
		*wakeme = s;
		*ok = true;
		return true;
	}
	if (c->count > 0) {
		mn_race_acquire(slot_sync(c, c->recvx));
		/* The slot is not cleared, as Go's is: no collector keeps
		 * what a stale copy points to alive. */
		copy(c, elem, slot(c, c->recvx));
		mn_race_release_store(slot_sync(c, c->recvx));
		if (++c->recvx == c->cap)
			c->recvx = 0;
		c->count--;
		*ok = true;
		return true;
	}
	if (c->closed) {
		mn_race_acquire(c);
		zero(c, elem);
		*ok = false;
		return true;
	}
	return false;
}

static void block_forever(const char *why)
{
	mn_park(NULL, NULL, why);
	mn_fatal("woke from %s", why);
}

/* Park the caller on c's sendq until a receiver takes elem.  Holds
 * c->lock, which the park releases.  Out of line, with the sudog: the
 * fast path then stores nothing before its lock (the locked instruction
 * waits for every earlier store). */
static __attribute__((noinline)) void send_park(mn_chan *c, const void *elem)
{
	struct sudog me = { .g = mn_getg(), .elem = (void *)elem, .c = c };

	mn_race_release_store(&me);
	q_push(c->sendq, &me);
	mn_park(mn_unlock_lk, &c->lock, "chan send");
	mn_race_acquire(&me);
	if (!me.success)
		mn_fatal_g(mn_getg(), MN_RING_ERR_SEND_CLOSED, "send on closed channel");
}

void mn_chan_send(mn_chan *c, const void *elem)
{
	struct sudog *w = NULL;

	if (!c)
		block_forever("chan send (nil chan)");
	mn_lk_lock(&c->lock);
	if (!send_locked(c, elem, &w)) {
		send_park(c, elem);
		return;
	}
	mn_lk_unlock(&c->lock);
	if (w)
		wake(w);
}

/* Park the caller on c's recvq until a sender or close completes it;
 * returns what the receive returns.  As send_park. */
static __attribute__((noinline)) bool recv_park(mn_chan *c, void *elem)
{
	struct sudog me = { .g = mn_getg(), .elem = elem, .c = c };

	mn_race_release_store(&me);
	q_push(c->recvq, &me);
	mn_park(mn_unlock_lk, &c->lock, "chan receive");
	mn_race_acquire(&me);
	return me.success;
}

bool mn_chan_recv(mn_chan *c, void *elem)
{
	struct sudog *w = NULL;
	bool ok;

	if (!c)
		block_forever("chan receive (nil chan)");
	mn_lk_lock(&c->lock);
	if (!recv_locked(c, elem, &ok, &w))
		return recv_park(c, elem);
	mn_lk_unlock(&c->lock);
	if (w)
		wake(w);
	return ok;
}

/* Non-blocking send from any thread (timers). */
bool mn_chan_trysend(mn_chan *c, const void *elem) MN_HIDDEN;
bool mn_chan_trysend(mn_chan *c, const void *elem)
{
	struct sudog *w = NULL;
	bool done;

	mn_lk_lock(&c->lock);
	done = !c->closed && send_locked(c, elem, &w);
	mn_lk_unlock(&c->lock);
	if (w)
		wake(w);
	return done;
}

void mn_chan_close(mn_chan *c)
{
	struct sudog *s;
	struct mn_wq_link *l;
	void *list[2] = { NULL, NULL };	/* woken in the reverse order of dequeueing, as before */

	if (!c)
		mn_fatal_g(mn_getg(), MN_RING_ERR_CLOSE_NIL, "close of nil channel");
	mn_lk_lock(&c->lock);
	if (c->closed) {
		mn_lk_unlock(&c->lock);
		mn_fatal_g(mn_getg(), MN_RING_ERR_CLOSE_CLOSED, "close of closed channel");
	}
	mn_race_release(c);
	c->closed = true;
	while ((s = q_dequeue(c->recvq))) {
		mn_race_acquire(s);	/* the zeroing writes the waiter's buffer */
		zero(c, s->elem);
		mn_race_release(s);
		s->success = false;
		mn_wq_push_front(list, &s->link);
	}
	while ((s = q_dequeue(c->sendq))) {
		mn_race_release(s);
		s->success = false;
		mn_wq_push_front(list, &s->link);
	}
	mn_lk_unlock(&c->lock);
	while ((l = mn_wq_pop(list)))
		wake(mn_wq_entry(l, struct sudog, link));
}

/* ---- select ---- */

struct selstate {
	mn_chan **lockorder;
	int nlock;
	struct mn_timer *timer;
};

static void sellock(mn_chan **order, int n)
{
	for (int i = 0; i < n; i++)
		mn_lk_lock(&order[i]->lock);
}

static void selunlock(mn_chan **order, int n)
{
	for (int i = n - 1; i >= 0; i--)
		mn_lk_unlock(&order[i]->lock);
}

/*
 * Runs on g0 once the selecting task is parked, holding every channel's
 * lock, which it releases.  The timer goes in while
 * the channels are still locked: once they are unlocked the select may
 * complete and return, and its stack (st, the timer) be reused.  Firing
 * early is harmless now that the task is parked.  The task cannot leave
 * its wakeup path before lockorder[0], unlocked last, is free.
 */
static void selpark_unlock(void *a)
{
	struct selstate *st = a;

	if (st->timer)
		mn_timer_add(st->timer);
	selunlock(st->lockorder, st->nlock);
}

static void sel_timeout(void *arg, uint64_t token)
{
	struct mn_g *g = arg;

	if (mn_token_win(g, token)) {
		g->param = NULL;
		mn_ready_next(g, false);
	}
}

/* Insertion sort by address: selects have a handful of cases, where
 * qsort's indirect calls cost more than the sort (perf: 3% of select4). */
static void sort_chans(mn_chan **v, int n)
{
	for (int i = 1; i < n; i++) {
		mn_chan *x = v[i];
		int j = i;

		for (; j > 0 && (uintptr_t)v[j - 1] > (uintptr_t)x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* Per-thread xorshift state for pollorder: a shared seed would be a
 * locked instruction on one cache line for every select of every thread.
 * Read and written with no park in between, so the thread cannot change. */
static __thread uint64_t sel_rand;

/* The select itself, with per-case arrays of ncases entries. */
static int do_select(struct mn_sel_case *cases, int ncases, int64_t timeout_ns,
		     int *pollorder, mn_chan **lockorder, struct sudog *sg)
{
	struct mn_g *g = mn_getg();
	struct sudog *w = NULL, *won;
	struct mn_timer timer = { 0 };
	struct selstate st = { lockorder, 0, NULL };
	uint64_t r, token;
	int i, j, n = 0;

	/* Poll in random order so no case starves (Go's pollorder). */
	r = sel_rand += 0x9E3779B97F4A7C15ULL;
	r ^= g ? g->id : 0;
	for (i = 0; i < ncases; i++) {
		if (!cases[i].chan)
			continue;
		r ^= r << 13;
		r ^= r >> 7;
		r ^= r << 17;
		j = (int)(r % (uint64_t)(n + 1));
		pollorder[n] = pollorder[j];
		pollorder[j] = i;
		lockorder[n] = cases[i].chan;
		n++;
	}
	/* Lock in address order, each channel once. */
	sort_chans(lockorder, n);
	for (i = 0, j = 0; i < n; i++)
		if (j == 0 || lockorder[j - 1] != lockorder[i])
			lockorder[j++] = lockorder[i];
	st.nlock = j;

	sellock(lockorder, st.nlock);
	for (i = 0; i < n; i++) {
		struct mn_sel_case *cs = &cases[pollorder[i]];
		bool done, ok = true;

		if (cs->dir == MN_SEL_SEND) {
			if (cs->chan->closed) {
				selunlock(lockorder, st.nlock);
				mn_fatal_g(g, MN_RING_ERR_SEND_CLOSED, "send on closed channel");
			}
			done = send_locked(cs->chan, cs->elem, &w);
		} else {
			done = recv_locked(cs->chan, cs->elem, &ok, &w);
			cs->ok = ok;
		}
		if (done) {
			selunlock(lockorder, st.nlock);
			if (w)
				wake(w);
			return pollorder[i];
		}
	}
	if (timeout_ns == 0 || (n == 0 && timeout_ns < 0 && !g)) {
		selunlock(lockorder, st.nlock);
		if (n == 0 && timeout_ns < 0)
			block_forever("select (no cases)");
		return -1;
	}
	if (!g) {
		selunlock(lockorder, st.nlock);
		mn_fatal_outside("blocking mn_select outside a task");
	}

	token = mn_token_arm(g);
	g->param = NULL;
	for (i = 0; i < ncases; i++) {
		if (!cases[i].chan)
			continue;
		sg[i] = (struct sudog){ .g = g, .elem = cases[i].elem, .c = cases[i].chan,
					.token = token, .idx = i, .is_select = true };
		mn_race_release_store(&sg[i]);
		q_push(cases[i].dir == MN_SEL_SEND ? cases[i].chan->sendq : cases[i].chan->recvq, &sg[i]);
	}
	if (timeout_ns > 0) {
		timer.when = mn_nanotime() + timeout_ns;
		timer.fn = sel_timeout;
		timer.arg = g;
		timer.seq = token;
		st.timer = &timer;
	}
	mn_park(selpark_unlock, &st, n ? "select" : "select (no cases)");

	won = g->param;
	sellock(lockorder, st.nlock);
	for (i = 0; i < ncases; i++) {
		if (!cases[i].chan || &sg[i] == won)
			continue;
		q_remove(cases[i].dir == MN_SEL_SEND ? cases[i].chan->sendq : cases[i].chan->recvq, &sg[i]);
	}
	selunlock(lockorder, st.nlock);
	if (st.timer && won)
		mn_timer_del(&timer);
	if (!won)
		return -1;
	mn_race_acquire(won);
	i = won->idx;
	if (cases[i].dir == MN_SEL_SEND) {
		if (!won->success)
			mn_fatal_g(g, MN_RING_ERR_SEND_CLOSED, "send on closed channel");
	} else {
		cases[i].ok = won->success;
	}
	return i;
}

/*
 * Task stacks are small (64 KiB, some without a guard page), so the
 * per-case bookkeeping (68 bytes a case) lives on the stack only up
 * to SEL_STACK_CASES cases, on the heap beyond: any number of cases works.
 */
#define SEL_STACK_CASES 16

int mn_select(struct mn_sel_case *cases, int ncases, int64_t timeout_ns)
{
	int pollorder[SEL_STACK_CASES];
	mn_chan *lockorder[SEL_STACK_CASES];
	struct sudog sg[SEL_STACK_CASES], *hsg;
	size_t n = (size_t)ncases;
	int ret;

	if (ncases <= SEL_STACK_CASES)
		return do_select(cases, ncases, timeout_ns, pollorder, lockorder, sg);
	/* One block: sudogs (the strictest alignment), channels, indexes. */
	hsg = malloc(n * (sizeof(struct sudog) + sizeof(mn_chan *) + sizeof(int)));
	if (!hsg)
		mn_fatal("mn_select: out of memory for %d cases", ncases);
	ret = do_select(cases, ncases, timeout_ns, (int *)((mn_chan **)(hsg + n) + n),
			(mn_chan **)(hsg + n), hsg);
	free(hsg);
	return ret;
}

/* ---- mn_after ---- */

struct after {
	struct mn_timer t;
	mn_chan *c;
};

static void after_fire(void *arg, uint64_t seq)
{
	struct after *a = arg;
	int64_t now = mn_nanotime();

	mn_chan_trysend(a->c, &now);
	mn_chan_free(a->c);
	free(a);
}

mn_chan *mn_after(int64_t ns)
{
	struct after *a = calloc(1, sizeof(*a));
	mn_chan *c = mn_chan_make(sizeof(int64_t), 1);

	mn_runtime_init();
	if (!a || !c)
		mn_fatal("out of memory in mn_after");
	atomic_store(&c->refs, 2);	/* the caller's and the timer's */
	a->c = c;
	a->t.when = mn_nanotime() + (ns > 0 ? ns : 0);
	a->t.fn = after_fire;
	a->t.arg = a;	/* the caller happens before the send: mn_timer_add */
	mn_timer_add(&a->t);
	return c;
}
