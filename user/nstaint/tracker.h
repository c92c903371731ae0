/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace view built from records: the tainted threads now (for top), and
 * totals (for trace's summary).  Invariant: a thread is in the table from
 * its thread_tainted (or first record showing it tainted) until its
 * thread_restored or thread_exit.
 */
#ifndef NSTAINT_TRACKER_H
#define NSTAINT_TRACKER_H

#include <stddef.h>
#include <nstaint/events.h>

#define TRACKER_TASKS	8		/* task ids remembered per thread */

struct tracked_thread {
	__u32 pid, tid;
	char comm[NSTAINT_COMM_LEN];
	__u32 mask;
	__u32 ns[NSTAINT_NS_COUNT];
	__u32 home[NSTAINT_NS_COUNT];
	__u32 owner_kind;
	__u64 owner_id;
	__u64 since_ns;			/* 0: tainted before we started */
	size_t ntasks;			/* distinct unlocked tasks seen */
	__u64 tasks[TRACKER_TASKS];
};

struct tracker {
	struct tracked_thread *threads;
	size_t n, cap;
	__u64 counts[NSTAINT_EV_TYPE_COUNT];	/* records by type */
	__u64 lost;				/* sum of lost counts */
};

void tracker_update(struct tracker *t, const struct nstaint_event *ev);
void tracker_free(struct tracker *t);

#endif
