/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A snapshot of every thread's namespace set, read from /proc, with each
 * process's home set.  Used by `nstaint ps` and to seed the live tracker.
 */
#ifndef NSTAINT_SNAPSHOT_H
#define NSTAINT_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/nsset.h"

struct snap_thread {
	pid_t tid;
	char comm[NSTAINT_COMM_LEN];	/* raw bytes, NUL-terminated */
	struct ns_set ns;
	unsigned int tainted_mask;	/* ns_set_diff(ns, process home) */
};

struct snap_proc {
	pid_t pid;
	pid_t ppid;
	int err;			/* errno if unreadable, else 0 */
	struct ns_set home;
	size_t nthreads;
	struct snap_thread *threads;	/* sorted by tid */
};

struct snapshot {
	size_t nprocs;
	struct snap_proc *procs;	/* sorted by pid */
	size_t unreadable;		/* processes we could not read */
	int first_err;			/* errno of the first of those */
};

/* Process @pid of @s (sorted by pid, as snapshot_take leaves it), or NULL. */
static inline const struct snap_proc *snapshot_find(const struct snapshot *s,
						    pid_t pid)
{
	size_t lo = 0, hi = s->nprocs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->procs[mid].pid == pid)
			return &s->procs[mid];
		if (s->procs[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* @p is @root or descends from it, by the parent links in @s. */
static inline bool snapshot_descends(const struct snapshot *s,
				     const struct snap_proc *p, pid_t root)
{
	size_t hops;

	/* At most nprocs hops: a pid reused mid-scan cannot loop us. */
	for (hops = 0; p && hops <= s->nprocs; hops++) {
		if (p->pid == root)
			return true;
		if (p->ppid <= 0 || p->ppid == p->pid)
			return false;
		p = snapshot_find(s, p->ppid);
	}
	return false;
}

/*
 * Scan /proc (under @procfs, normally "/proc").  @only > 0 limits the scan
 * to that process.  Threads and processes that exit during the scan are
 * left out quietly: they no longer exist.  Returns 0, or a negative errno
 * if the scan itself failed (or @only does not exist: -ESRCH).
 */
int snapshot_take(struct snapshot *s, const char *procfs, pid_t only);

/*
 * snapshot_take() with SNAP_* @flags.  SNAP_COMM_TAINTED: read the comm of
 * tainted threads only (the others' stay empty), for callers that show
 * nothing else: a quarter of the system calls of a scan.
 */
#define SNAP_COMM_TAINTED	(1u << 0)
int snapshot_take_flags(struct snapshot *s, const char *procfs, pid_t only,
			unsigned int flags);
void snapshot_free(struct snapshot *s);

/*
 * Sort @s->procs by pid, then give each readable process its home set
 * and each thread its tainted_mask.  A parent missing from @s is read
 * from the procfs open as @procfd, or left out if @procfd < 0.  The one
 * way both snapshot sources (/proc, snapshot_iter.h) finish.
 */
void snapshot_homes(struct snapshot *s, int procfd);

/*
 * A thread's comm file (@path under @dirfd, e.g. "TID/comm" under
 * /proc/PID/task) into @comm, empty if it cannot be read.
 */
void snapshot_read_comm(int dirfd, const char *path,
			char comm[NSTAINT_COMM_LEN]);

/*
 * Home set of a process already running (design.md): the set most of its
 * threads hold; on a tie the parent's, if it is one of the tied sets; then
 * the leader's.  @parent may be NULL.
 */
void home_set_choose(const struct snap_proc *p, const struct ns_set *parent,
		     struct ns_set *home);

#endif
