// SPDX-License-Identifier: GPL-2.0-only
#include <stdlib.h>
#include <string.h>

#include "tracker.h"

static struct tracked_thread *find(struct tracker *t, __u32 tid)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->threads[i].tid == tid)
			return &t->threads[i];
	return NULL;
}

static struct tracked_thread *add(struct tracker *t, const struct nstaint_event *ev)
{
	struct tracked_thread *th = find(t, ev->tid);

	if (th)
		return th;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		void *p = realloc(t->threads, cap * sizeof(*t->threads));

		if (!p)
			return NULL;
		t->threads = p;
		t->cap = cap;
	}
	th = &t->threads[t->n++];
	memset(th, 0, sizeof(*th));
	th->pid = ev->pid;
	th->tid = ev->tid;
	th->since_ns = ev->ts_ns;
	return th;
}

static void drop(struct tracker *t, __u32 tid)
{
	struct tracked_thread *th = find(t, tid);

	if (th)
		*th = t->threads[--t->n];
}

void tracker_update(struct tracker *t, const struct nstaint_event *ev)
{
	struct tracked_thread *th;

	if (ev->type < NSTAINT_EV_TYPE_COUNT)
		t->counts[ev->type]++;
	switch (ev->type) {
	case NSTAINT_EV_LOST:
		t->lost += ev->count;
		return;
	case NSTAINT_EV_THREAD_RESTORED:
	case NSTAINT_EV_THREAD_EXIT:
		drop(t, ev->tid);
		return;
	case NSTAINT_EV_NS_CHANGE:
		if (!ev->tainted_mask) {
			drop(t, ev->tid);
			return;
		}
		break;
	case NSTAINT_EV_THREAD_TAINTED:
	case NSTAINT_EV_TASK_ON_TAINTED_THREAD:
		break;
	case NSTAINT_EV_CLONE_FROM_TAINTED:
		if (!ev->tainted_mask)
			return;	/* a new process: its own home */
		break;
	default:
		return;
	}
	th = add(t, ev);
	if (!th)
		return;
	memcpy(th->comm, ev->comm, sizeof(th->comm));
	th->comm[NSTAINT_COMM_LEN - 1] = 0;
	th->mask = ev->tainted_mask;
	memcpy(th->ns, ev->ns_new, sizeof(th->ns));
	memcpy(th->home, ev->ns_home, sizeof(th->home));
	if (ev->type == NSTAINT_EV_THREAD_TAINTED) {
		th->since_ns = ev->ts_ns;
		th->ntasks = 0;
	}
	if (ev->owner_kind) {
		th->owner_kind = ev->owner_kind;
		th->owner_id = ev->owner_id;
	}
	if (ev->type == NSTAINT_EV_TASK_ON_TAINTED_THREAD) {
		size_t i;

		for (i = 0; i < th->ntasks && i < TRACKER_TASKS; i++)
			if (th->tasks[i] == ev->task_id)
				return;
		if (th->ntasks < TRACKER_TASKS)
			th->tasks[th->ntasks] = ev->task_id;
		th->ntasks++;
	}
}

void tracker_free(struct tracker *t)
{
	free(t->threads);
	memset(t, 0, sizeof(*t));
}
