/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The user tasks seen running on a tainted thread (task_on_tainted_thread
 * and task_summary records, a thread_tainted's unlocked owner), so that a
 * report about one of them (a race, a leak) can say so.  Bounded: a
 * direct-mapped table of TAINTED_TASKS_SLOTS (pid, task) pairs; a pair
 * pushed out by another is forgotten (the report then says false), never
 * invented.
 */
#ifndef NSTAINT_TAINTEDTASKS_H
#define NSTAINT_TAINTEDTASKS_H

#include <stdbool.h>
#include <nstaint/events.h>

#define TAINTED_TASKS_SLOTS	8192

struct tainted_tasks {
	struct {
		__u32 pid;
		__u64 task;	/* 0: empty */
	} slot[TAINTED_TASKS_SLOTS];
};

/* Learn from @e (valid) which task ran on a tainted thread. */
void tainted_tasks_note(struct tainted_tasks *t, const struct nstaint_event *e);

/* Whether task @task of process @pid was seen on a tainted thread. */
bool tainted_tasks_has(const struct tainted_tasks *t, __u32 pid, __u64 task);

/* Process @pid exec'd or exited: its task ids mean nothing now. */
void tainted_tasks_forget(struct tainted_tasks *t, __u32 pid);

#endif
