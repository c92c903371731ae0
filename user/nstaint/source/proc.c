// SPDX-License-Identifier: GPL-2.0-only
/*
 * The /proc polling backend ("proc"): for hosts where neither BPF nor
 * the module can be loaded.  Every --proc-interval it takes a snapshot
 * of /proc (snapshot.c, the one /proc scanner) and reports what changed
 * since the previous one (snapdiff.c), cause `snapshot`.  The first
 * snapshot is the baseline: threads already tainted then are not
 * reported, as with the other backends (the consumer seeds from /proc).
 * No stacks, no user tasks, nothing between two scans.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "source/snapdiff.h"
#include "source/snapshot_iter.h"
#include "source/source.h"
#include "common/monotime.h"

struct proc_priv {
	struct snapshot prev;
	__u64 interval_ns;
	__u64 next_ns;			/* CLOCK_MONOTONIC of the next scan */
	pid_t follow;
};

/* -p / -- CMD: keep @root's tree only (ppid known in the full scan). */
static void keep_tree(struct snapshot *s, pid_t root)
{
	size_t i, n = 0;

	for (i = 0; i < s->nprocs; i++) {
		if (snapshot_descends(s, &s->procs[i], root))
			continue;
		free(s->procs[i].threads);
		s->procs[i].threads = NULL;
		s->procs[i].nthreads = 0;
		s->procs[i].err = -1;	/* marked: compacted out below */
	}
	for (i = 0; i < s->nprocs; i++)
		if (s->procs[i].err != -1)
			s->procs[n++] = s->procs[i];
	s->nprocs = n;
}

static int scan(struct proc_priv *p, struct snapshot *s)
{
	enum snap_from used;
	int err;

	err = snapshot_take_from(s, SNAP_FROM_PROC, "/proc", 0,
				 SNAP_COMM_TAINTED, &used, NULL);
	if (err)
		return err;
	if (p->follow)
		keep_tree(s, p->follow);
	return 0;
}

static int proc_open(struct source *src, const struct source_opts *o)
{
	struct proc_priv *p = calloc(1, sizeof(*p));
	int err;

	if (!p)
		return -ENOMEM;
	p->follow = o->follow_pid;
	p->interval_ns = (__u64)(o->proc_interval_ms ?: PROC_INTERVAL_MS_DEFAULT) * 1000000ULL;
	err = scan(p, &p->prev);
	if (err) {
		fprintf(stderr, "nstaint: cannot scan /proc: %s\n", strerror(-err));
		free(p);
		return err;
	}
	p->next_ns = mono_ns() + p->interval_ns;
	src->priv = p;
	return 0;
}

static int proc_poll(struct source *src, int timeout_ms,
		     const struct source_out *out)
{
	struct proc_priv *p = src->priv;
	struct snapshot now;
	__u64 t = mono_ns();
	int n, err;

	if (t < p->next_ns) {
		__u64 wait_ms = (p->next_ns - t + 999999) / 1000000;

		if (wait_ms > (__u64)timeout_ms) {
			poll(NULL, 0, timeout_ms);
			return 0;
		}
		poll(NULL, 0, wait_ms);
	}
	err = scan(p, &now);
	if (err)
		return err;
	p->next_ns = mono_ns() + p->interval_ns;
	n = snapdiff(&p->prev, &now, mono_ns(), out->record, out->ctx);
	snapshot_free(&p->prev);
	p->prev = now;
	return n;
}

static void proc_close(struct source *src)
{
	struct proc_priv *p = src->priv;

	if (!p)
		return;
	snapshot_free(&p->prev);
	free(p);
	src->priv = NULL;
}

static const char *proc_hook(const struct source *src)
{
	return "poll";		/* no hook at all: scans */
}

const struct source_ops source_proc_ops = {
	.name = "proc",
	.caps = 0,
	.open = proc_open,
	.poll = proc_poll,
	.close = proc_close,
	.hook = proc_hook,
};
