// SPDX-License-Identifier: GPL-2.0-only
/* The tainted-thread table; tracker.h states its invariants. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model/record.h"
#include "source/snapshot.h"
#include "model/tracker.h"

/* Index of (@pid, @tid) in threads[] or, if absent, where it belongs. */
static size_t slot(const struct tracker *t, __u32 pid, __u32 tid,
		   bool *found)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct tracked_thread *th = &t->threads[mid];

		if (th->pid < pid || (th->pid == pid && th->tid < tid))
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < t->n && t->threads[lo].pid == pid &&
		 t->threads[lo].tid == tid;
	return lo;
}

struct tracked_thread *tracker_find(struct tracker *t, __u32 pid, __u32 tid)
{
	bool found;
	size_t i = slot(t, pid, tid, &found);

	return found ? &t->threads[i] : NULL;
}

/* The entry for (@pid, @tid), a zeroed new one if absent; NULL if OOM. */
static struct tracked_thread *insert(struct tracker *t, __u32 pid, __u32 tid)
{
	struct tracked_thread *th;
	bool found;
	size_t i = slot(t, pid, tid, &found);

	if (found)
		return &t->threads[i];
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		void *p = realloc(t->threads, cap * sizeof(*t->threads));

		if (!p)
			return NULL;
		t->threads = p;
		t->cap = cap;
	}
	memmove(&t->threads[i + 1], &t->threads[i],
		(t->n - i) * sizeof(*t->threads));
	t->n++;
	th = &t->threads[i];
	memset(th, 0, sizeof(*th));
	th->pid = pid;
	th->tid = tid;
	return th;
}

static void remove_at(struct tracker *t, size_t i)
{
	memmove(&t->threads[i], &t->threads[i + 1],
		(t->n - i - 1) * sizeof(*t->threads));
	t->n--;
}

static void drop(struct tracker *t, __u32 pid, __u32 tid)
{
	bool found;
	size_t i = slot(t, pid, tid, &found);

	if (found)
		remove_at(t, i);
}

/*
 * Every thread of @pid: after an exec the process has one thread, with
 * the new program's home set, so none of it is tainted any more.
 */
static void drop_process(struct tracker *t, __u32 pid)
{
	size_t i = t->n;

	while (i-- > 0)
		if (t->threads[i].pid == pid)
			remove_at(t, i);
}

static void add_task(struct tracked_thread *th, __u32 kind, __u64 id)
{
	size_t i, kept = th->ntasks < TRACKER_TASK_IDS ? th->ntasks :
			 TRACKER_TASK_IDS;

	for (i = 0; i < kept; i++)
		if (th->tasks[i].kind == kind && th->tasks[i].id == id)
			return;
	if (th->ntasks < TRACKER_TASK_IDS) {
		th->tasks[th->ntasks].kind = kind;
		th->tasks[th->ntasks].id = id;
	}
	th->ntasks++;
}

static void add_call(struct tracked_thread *th, int nr)
{
	size_t i, kept = th->ncalls < TRACKER_CALLS ? th->ncalls :
			 TRACKER_CALLS;

	for (i = 0; i < kept; i++)
		if (th->calls[i] == nr)
			return;
	/* Past the array a repeat is counted again: an upper bound. */
	if (th->ncalls < TRACKER_CALLS)
		th->calls[th->ncalls] = nr;
	th->ncalls++;
}

int tracker_update(struct tracker *t, const struct nstaint_event *ev)
{
	struct tracked_thread *th;
	bool known;

	if (!record_valid(ev)) {
		t->bad++;
		return 0;
	}
	t->counts[ev->type]++;
	switch (ev->type) {
	case NSTAINT_EV_LOST:
		t->lost += ev->count;
		return 0;
	case NSTAINT_EV_THREAD_RESTORED:
		if (ev->cause == NSTAINT_CAUSE_EXEC)
			drop_process(t, ev->pid);
		else
			drop(t, ev->pid, ev->tid);
		return 0;
	case NSTAINT_EV_THREAD_EXIT:
		drop(t, ev->pid, ev->tid);
		return 0;
	case NSTAINT_EV_NS_CHANGE:
		if (!ev->tainted_mask) {
			drop(t, ev->pid, ev->tid);
			return 0;
		}
		break;
	case NSTAINT_EV_CLONE_FROM_TAINTED:
		if (ev->flags & NSTAINT_F_NEW_PROCESS || !ev->tainted_mask)
			return 0;
		break;
	case NSTAINT_EV_THREAD_TAINTED:
	case NSTAINT_EV_TASK_ON_TAINTED_THREAD:
		if (!ev->tainted_mask)
			return 0;	/* home unknown to the backend */
		break;
	default:
		return 0;
	}
	known = tracker_find(t, ev->pid, ev->tid);
	th = insert(t, ev->pid, ev->tid);
	if (!th)
		return -ENOMEM;
	if (!known || ev->type == NSTAINT_EV_THREAD_TAINTED)
		th->since_ns = ev->ts_ns;
	memcpy(th->comm, ev->comm, NSTAINT_COMM_LEN);
	th->comm[NSTAINT_COMM_LEN] = 0;
	th->mask = ev->tainted_mask;
	memcpy(th->ns, ev->ns_new, sizeof(th->ns));
	memcpy(th->home, ev->ns_home, sizeof(th->home));
	if (ev->type == NSTAINT_EV_THREAD_TAINTED && ev->owner_kind) {
		th->owner.kind = ev->owner_kind;
		th->owner.id = ev->owner_id;
		th->owner_locked = ev->flags & NSTAINT_F_TASK_LOCKED;
	}
	if (ev->type == NSTAINT_EV_TASK_ON_TAINTED_THREAD && ev->task_kind)
		add_task(th, ev->task_kind, ev->task_id);
	if (ev->type == NSTAINT_EV_TASK_ON_TAINTED_THREAD && ev->syscall_nr >= 0)
		add_call(th, ev->syscall_nr);
	return 0;
}

int tracker_seed(struct tracker *t, const struct snapshot *s, pid_t root)
{
	size_t i, j;

	for (i = 0; i < s->nprocs; i++) {
		const struct snap_proc *p = &s->procs[i];

		if (p->err || (root && !snapshot_descends(s, p, root)))
			continue;
		for (j = 0; j < p->nthreads; j++) {
			const struct snap_thread *st = &p->threads[j];
			struct tracked_thread *th;

			if (!st->tainted_mask ||
			    tracker_find(t, p->pid, st->tid))
				continue;
			th = insert(t, p->pid, st->tid);
			if (!th)
				return -ENOMEM;
			memcpy(th->comm, st->comm, NSTAINT_COMM_LEN);
			th->comm[NSTAINT_COMM_LEN] = 0;
			th->mask = st->tainted_mask;
			memcpy(th->ns, st->ns.ino, sizeof(th->ns));
			memcpy(th->home, p->home.ino, sizeof(th->home));
		}
	}
	return 0;
}

size_t tracker_prune(struct tracker *t,
		     bool (*alive)(void *ctx, __u32 pid, __u32 tid),
		     void *ctx)
{
	size_t i = t->n, dropped = 0;

	while (i-- > 0) {
		if (alive(ctx, t->threads[i].pid, t->threads[i].tid))
			continue;
		remove_at(t, i);
		dropped++;
	}
	t->pruned += dropped;
	return dropped;
}

size_t tracker_nprocs(const struct tracker *t)
{
	size_t i, n = 0;

	for (i = 0; i < t->n; i++)
		if (!i || t->threads[i].pid != t->threads[i - 1].pid)
			n++;
	return n;
}

void tracker_free(struct tracker *t)
{
	free(t->threads);
	memset(t, 0, sizeof(*t));
}
