// SPDX-License-Identifier: GPL-2.0-only
/*
 * Contexts, after Go's context package: cancellation and deadlines flow
 * from a parent to its children; cancelling a child removes it from its
 * parent.  No helper thread or task exists per context: a parent keeps a
 * list of its cancelable children and cancels them itself, and a deadline
 * is one timer in the P's heap.
 *
 * Memory: contexts are reference counted.  The creator holds one
 * reference (mn_ctx_release drops it), a child holds its parent, a
 * parent's child list holds each child until it is cancelled, and an armed
 * deadline timer holds its context.  So a context whose cancel is never
 * called stays alive as long as its parent: Go's "lostcancel" leak, which
 * mn_report_leaks names with the creation site.
 *
 * Happens-before (race.h): a cancel releases the context before its err
 * is set and its done channel closed; mn_ctx_err that sees the error
 * acquires it, a receive from done acquires the close (chan.c).
 */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"
#include "race.h"
#include "ring.h"

enum { CTX_BG, CTX_CANCEL, CTX_VALUE };

struct mn_ctx {
	_Atomic int refs;
	uint32_t lock;
	int kind;
	struct mn_ctx *parent;		/* referenced */
	mn_chan *done;			/* CTX_CANCEL */
	_Atomic int err;
	bool has_deadline;
	int64_t deadline;
	const void *key;
	void *val;
	/* CTX_CANCEL: children to cancel, and where we are registered */
	struct mn_ctx *kids;
	struct mn_ctx *sib_next, *sib_prev;
	struct mn_ctx *registered_in;
	bool in_parent;
	struct mn_timer timer;
	_Atomic bool cancel_called;
	const char *file;
	int line;
	uint64_t task;
	struct mn_ctx *all_next, *all_prev;
};

static struct mn_ctx background = { .refs = 1 << 30, .kind = CTX_BG };
static uint32_t all_lock;
static struct mn_ctx *all_ctx;

mn_ctx *mn_ctx_background(void)
{
	return &background;
}

mn_ctx *mn_ctx_ref(mn_ctx *c)
{
	if (c && c->kind != CTX_BG)
		atomic_fetch_add(&c->refs, 1);
	return c;
}

/* Drop a reference; the last one frees c and drops its parent's.  Must
 * not hold all_lock. */
static void ctx_unref(mn_ctx *c)
{
	while (c && c->kind != CTX_BG) {
		mn_ctx *parent = c->parent;

		mn_race_rt_release(c);
		if (atomic_fetch_sub(&c->refs, 1) != 1)
			break;
		mn_race_rt_acquire(c);

		if (c->kind == CTX_CANCEL) {
			mn_lk_lock(&all_lock);
			if (c->all_prev)
				c->all_prev->all_next = c->all_next;
			else
				all_ctx = c->all_next;
			if (c->all_next)
				c->all_next->all_prev = c->all_prev;
			mn_lk_unlock(&all_lock);
			mn_chan_free(c->done);
		}
		free(c);
		c = parent;
	}
}

void mn_ctx_release(mn_ctx *c)
{
	ctx_unref(c);
}

/* Nearest ancestor that can be cancelled (skipping value nodes). */
static mn_ctx *cancel_ancestor(mn_ctx *c)
{
	while (c && c->kind == CTX_VALUE)
		c = c->parent;
	return c && c->kind == CTX_CANCEL ? c : NULL;
}

/* Cancel c and its children; @remove: also leave the ancestor's list.
 * Must hold no context's lock: takes c's, then its ancestor's. */
static void cancel(mn_ctx *c, int err, bool remove)
{
	mn_ctx *kids, *k, *anc;
	int z = 0;
	bool drop = false;

	mn_race_release(c);
	mn_lk_lock(&c->lock);
	if (!atomic_compare_exchange_strong(&c->err, &z, err)) {
		mn_lk_unlock(&c->lock);
		goto remove;
	}
	kids = c->kids;
	c->kids = NULL;
	for (k = kids; k; k = k->sib_next)
		k->in_parent = false;
	mn_lk_unlock(&c->lock);
	mn_chan_close(c->done);
	while (kids) {
		k = kids;
		kids = k->sib_next;
		cancel(k, err, false);
		ctx_unref(k);		/* the parent list's reference */
	}
	if (mn_timer_del(&c->timer))
		ctx_unref(c);		/* the timer's reference */
remove:
	if (!remove)
		return;
	anc = c->registered_in;
	if (!anc)
		return;
	mn_lk_lock(&anc->lock);
	if (c->in_parent) {
		c->in_parent = false;
		if (c->sib_prev)
			c->sib_prev->sib_next = c->sib_next;
		else
			anc->kids = c->sib_next;
		if (c->sib_next)
			c->sib_next->sib_prev = c->sib_prev;
		drop = true;
	}
	mn_lk_unlock(&anc->lock);
	if (drop)
		ctx_unref(c);
}

static void deadline_fire(void *arg, uint64_t seq)
{
	mn_ctx *c = arg;

	cancel(c, MN_CTX_DEADLINE_EXCEEDED, true);
	ctx_unref(c);
}

static mn_ctx *new_cancel(mn_ctx *parent, const char *file, int line)
{
	mn_ctx *c = calloc(1, sizeof(*c)), *anc;
	int perr = 0;

	if (!c)
		mn_fatal("out of memory creating a context");
	mn_runtime_init();
	if (!parent)
		parent = &background;
	atomic_store(&c->refs, 1);
	c->kind = CTX_CANCEL;
	c->parent = mn_ctx_ref(parent);
	c->done = mn_chan_make(0, 0);
	c->file = file;
	c->line = line;
	c->task = mn_task_id();
	c->has_deadline = mn_ctx_deadline(parent, &c->deadline);
	mn_lk_lock(&all_lock);
	c->all_next = all_ctx;
	if (all_ctx)
		all_ctx->all_prev = c;
	all_ctx = c;
	mn_lk_unlock(&all_lock);

	anc = cancel_ancestor(parent);
	if (anc) {
		mn_lk_lock(&anc->lock);
		perr = atomic_load(&anc->err);
		if (!perr) {
			atomic_fetch_add(&c->refs, 1);
			c->registered_in = anc;
			c->in_parent = true;
			c->sib_next = anc->kids;
			if (anc->kids)
				anc->kids->sib_prev = c;
			anc->kids = c;
		}
		mn_lk_unlock(&anc->lock);
		if (perr) {
			mn_race_acquire(anc);
			cancel(c, perr, false);
		}
	}
	return c;
}

mn_ctx *mn_ctx_with_cancel_at(mn_ctx *parent, const char *file, int line)
{
	return new_cancel(parent, file, line);
}

mn_ctx *mn_ctx_with_deadline_at(mn_ctx *parent, int64_t deadline, const char *file, int line)
{
	mn_ctx *c = new_cancel(parent, file, line);

	if (c->has_deadline && c->deadline <= deadline)
		return c;	/* the parent's deadline comes first */
	c->has_deadline = true;
	c->deadline = deadline;
	if (atomic_load(&c->err))
		return c;
	if (deadline <= mn_nanotime()) {
		cancel(c, MN_CTX_DEADLINE_EXCEEDED, true);
		return c;
	}
	atomic_fetch_add(&c->refs, 1);	/* the timer's */
	c->timer.when = deadline;
	c->timer.fn = deadline_fire;
	c->timer.arg = c;
	mn_timer_add(&c->timer);
	return c;
}

mn_ctx *mn_ctx_with_value(mn_ctx *parent, const void *key, void *val)
{
	mn_ctx *c = calloc(1, sizeof(*c));

	if (!c)
		mn_fatal("out of memory creating a context");
	atomic_store(&c->refs, 1);
	c->kind = CTX_VALUE;
	c->parent = mn_ctx_ref(parent ? parent : &background);
	c->key = key;
	c->val = val;
	return c;
}

void mn_ctx_cancel(mn_ctx *c)
{
	if (!c || c->kind != CTX_CANCEL)
		return;
	atomic_store(&c->cancel_called, true);
	cancel(c, MN_CTX_CANCELED, true);
}

mn_chan *mn_ctx_done(mn_ctx *c)
{
	c = cancel_ancestor(c);
	return c ? c->done : NULL;
}

int mn_ctx_err(mn_ctx *c)
{
	int err;

	c = cancel_ancestor(c);
	err = c ? atomic_load(&c->err) : MN_CTX_OK;
	if (err)
		mn_race_acquire(c);
	return err;
}

const char *mn_ctx_errstr(int err)
{
	switch (err) {
	case MN_CTX_OK:
		return "<nil>";
	case MN_CTX_CANCELED:
		return "context canceled";
	case MN_CTX_DEADLINE_EXCEEDED:
		return "context deadline exceeded";
	}
	return "unknown context error";
}

bool mn_ctx_deadline(mn_ctx *c, int64_t *deadline)
{
	c = cancel_ancestor(c);
	if (!c || !c->has_deadline)
		return false;
	if (deadline)
		*deadline = c->deadline;
	return true;
}

void *mn_ctx_value(mn_ctx *c, const void *key)
{
	for (; c; c = c->parent)
		if (c->kind == CTX_VALUE && c->key == key)
			return c->val;
	return NULL;
}

int mn_ctx_report_leaks(int fd)
{
	int n = 0;

	mn_lk_lock(&all_lock);
	for (mn_ctx *c = all_ctx; c; c = c->all_next) {
		if (atomic_load(&c->cancel_called))
			continue;
		const char *file = c->file ? c->file : "?";
		const char *why = atomic_load(&c->err) ?
				  " (it was cancelled by its parent or deadline)" : "";
		char msg[MN_RING_MSG];

		dprintf(fd, "libmn: leak: context created at %s:%d by task %llu: cancel was never called%s\n",
			file, c->line, (unsigned long long)c->task, why);
		snprintf(msg, sizeof(msg), "created at %s:%d: cancel was never called%s",
			 file, c->line, why);
		mn_ring_leak(MN_RING_CTX_LEAK, c->task, c->task, msg);
		n++;
	}
	mn_lk_unlock(&all_lock);
	return n;
}
