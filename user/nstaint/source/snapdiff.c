// SPDX-License-Identifier: GPL-2.0-only
/*
 * snapdiff.h: a merge walk over two snapshots, both sorted by pid and
 * each process's threads by tid.
 */
#include <string.h>

#include "source/snapdiff.h"

struct walk {
	__u64 ts_ns;
	int (*out)(void *ctx, const struct nstaint_event *ev);
	void *ctx;
	int n;
};

static int emit(struct walk *w, unsigned int type, const struct snap_proc *p,
		const struct snap_thread *was, const struct snap_thread *is)
{
	const struct snap_thread *t = is ? is : was;
	struct nstaint_event ev = {
		.version = NSTAINT_ABI_VERSION,
		.size = sizeof(ev),
		.type = type,
		.cause = NSTAINT_CAUSE_SNAPSHOT,
		.ts_ns = w->ts_ns,
		.pid = p->pid,
		.tid = t->tid,
		.syscall_nr = -1,
	};
	int err;

	memcpy(ev.comm, t->comm, sizeof(ev.comm));
	/* A new thread's set before: unknown, so its home's. */
	memcpy(ev.ns_old, was ? was->ns.ino : p->home.ino, sizeof(ev.ns_old));
	memcpy(ev.ns_new, t->ns.ino, sizeof(ev.ns_new));
	memcpy(ev.ns_home, p->home.ino, sizeof(ev.ns_home));
	ev.changed_mask = was && is ? ns_set_diff(&was->ns, &is->ns) : 0;
	ev.tainted_mask = is ? is->tainted_mask : 0;
	if (type == NSTAINT_EV_NS_CHANGE && !ev.tainted_mask)
		ev.flags |= NSTAINT_F_HOME_MOVED;
	err = w->out(w->ctx, &ev);
	if (err)
		return err;
	w->n++;
	return 0;
}

/* Thread @was (or NULL: new) is now @is (or NULL: gone) in process @p. */
static int thread(struct walk *w, const struct snap_proc *p,
		  const struct snap_thread *was, const struct snap_thread *is)
{
	if (!is)
		return was->tainted_mask ?
		       emit(w, NSTAINT_EV_THREAD_EXIT, p, was, NULL) : 0;
	if (!was)
		return is->tainted_mask ?
		       emit(w, NSTAINT_EV_THREAD_TAINTED, p, NULL, is) : 0;
	if (!was->tainted_mask && is->tainted_mask)
		return emit(w, NSTAINT_EV_THREAD_TAINTED, p, was, is);
	if (was->tainted_mask && !is->tainted_mask)
		return emit(w, NSTAINT_EV_THREAD_RESTORED, p, was, is);
	if (!ns_set_equal(&was->ns, &is->ns))
		return emit(w, NSTAINT_EV_NS_CHANGE, p, was, is);
	return 0;
}

/* Process @was (or NULL) is now @is (or NULL); @p names it in records. */
static int process(struct walk *w, const struct snap_proc *was,
		   const struct snap_proc *is)
{
	size_t i = 0, j = 0, ni = was ? was->nthreads : 0;
	size_t nj = is ? is->nthreads : 0;
	int err = 0;

	/* Unreadable now: nothing is known of it, nothing is said. */
	if ((is && is->err) || (was && was->err && !is))
		return 0;
	if (was && was->err)
		ni = 0;
	while (!err && (i < ni || j < nj)) {
		const struct snap_thread *a = i < ni ? &was->threads[i] : NULL;
		const struct snap_thread *b = j < nj ? &is->threads[j] : NULL;

		if (a && b && a->tid == b->tid) {
			err = thread(w, is, a, b);
			i++, j++;
		} else if (a && (!b || a->tid < b->tid)) {
			err = thread(w, is ? is : was, a, NULL);
			i++;
		} else {
			err = thread(w, is, NULL, b);
			j++;
		}
	}
	return err;
}

int snapdiff(const struct snapshot *old, const struct snapshot *now,
	     __u64 ts_ns, int (*out)(void *ctx, const struct nstaint_event *ev),
	     void *ctx)
{
	struct walk w = { ts_ns, out, ctx, 0 };
	size_t i = 0, j = 0;
	int err = 0;

	while (!err && (i < old->nprocs || j < now->nprocs)) {
		const struct snap_proc *a = i < old->nprocs ? &old->procs[i] : NULL;
		const struct snap_proc *b = j < now->nprocs ? &now->procs[j] : NULL;

		if (a && b && a->pid == b->pid) {
			err = process(&w, a, b);
			i++, j++;
		} else if (a && (!b || a->pid < b->pid)) {
			err = process(&w, a, NULL);
			i++;
		} else {
			err = process(&w, NULL, b);
			j++;
		}
	}
	return err ? err : w.n;
}
