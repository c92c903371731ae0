/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The tainted threads now, built from records (and, for threads tainted
 * before the records started, from a /proc snapshot).  This is the model
 * behind `nstaint top`; it draws nothing.
 *
 * Invariants:
 *  - A thread is in the table from the first record (or snapshot row) that
 *    shows it tainted until a record shows it restored (thread_restored,
 *    or ns_change with nothing differing) or gone (thread_exit), or until
 *    tracker_prune finds it gone without one.  A thread_restored of cause
 *    exec ends every thread of its process: after exec only the thread
 *    that exec'd is left, and it has the new home set.
 *  - threads[] is sorted by (pid, tid), each tid at most once.
 *  - A process created by a tainted thread (clone_from_tainted with
 *    NSTAINT_F_NEW_PROCESS) has its own home set: it is counted, never
 *    put in the table.
 */
#ifndef NSTAINT_TRACKER_H
#define NSTAINT_TRACKER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <nstaint/events.h>

struct snapshot;

#define TRACKER_TASK_IDS	8	/* task ids remembered per thread */
#define TRACKER_CALLS		8	/* syscall numbers remembered per thread */

struct tracked_task {
	__u32 kind;			/* enum nstaint_task_kind */
	__u64 id;
};

struct tracked_thread {
	__u32 pid, tid;
	char comm[NSTAINT_COMM_LEN + 1];	/* raw bytes, NUL-terminated */
	__u32 mask;			/* namespaces that differ from home */
	__u32 ns[NSTAINT_NS_COUNT];	/* the thread's set */
	__u32 home[NSTAINT_NS_COUNT];	/* its process's home set */
	struct tracked_task owner;	/* kind NONE: not known */
	bool owner_locked;		/* owner was locked when it tainted */
	__u64 since_ns;			/* CLOCK_MONOTONIC; 0: before start */
	/*
	 * Unlocked user tasks seen running on the thread: how many distinct
	 * ones, and the first TRACKER_TASK_IDS of them.  The backend reports
	 * each (thread, task) pair once; ids past the array are counted
	 * only.
	 */
	size_t ntasks;
	struct tracked_task tasks[TRACKER_TASK_IDS];
	/*
	 * System calls those tasks made there (task_on_tainted_thread with
	 * cause syscall): how many distinct numbers, the first
	 * TRACKER_CALLS of them.
	 */
	size_t ncalls;
	int calls[TRACKER_CALLS];
};

struct tracker {
	struct tracked_thread *threads;
	size_t n, cap;
	__u64 counts[NSTAINT_EV_TYPE_COUNT];	/* records taken, by type */
	__u64 lost;				/* sum of `lost` counts */
	__u64 pruned;				/* gone without a record */
	__u64 bad;				/* records of unknown ABI */
};

/*
 * Apply one record.  0, or -ENOMEM when the table could not grow (the
 * record is then not applied).
 */
int tracker_update(struct tracker *t, const struct nstaint_event *ev);

/*
 * Add the threads that @s shows tainted, with since_ns 0, for process
 * @root and every process descending from it in @s (every process when
 * @root is 0).  Threads already in the table are left as they are.
 * 0 or -ENOMEM.
 */
int tracker_seed(struct tracker *t, const struct snapshot *s, pid_t root);

/*
 * Drop every thread for which @alive(@ctx, pid, tid) is false, counting
 * them in t->pruned: a thread that left without a record (records lost).
 * Returns how many were dropped.
 */
size_t tracker_prune(struct tracker *t,
		     bool (*alive)(void *ctx, __u32 pid, __u32 tid),
		     void *ctx);

/* Thread @tid of process @pid, or NULL. */
struct tracked_thread *tracker_find(struct tracker *t, __u32 pid, __u32 tid);

/* Number of distinct processes in the table. */
size_t tracker_nprocs(const struct tracker *t);

void tracker_free(struct tracker *t);

#endif
