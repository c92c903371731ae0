// SPDX-License-Identifier: GPL-2.0-only
#include "model/taintedtasks.h"

static unsigned int slot_of(__u32 pid, __u64 task)
{
	__u64 h = (task ^ ((__u64)pid << 32)) * 0x9e3779b97f4a7c15ULL;

	return h >> 51;		/* 13 bits: TAINTED_TASKS_SLOTS */
}

_Static_assert(TAINTED_TASKS_SLOTS == 1 << 13, "slot_of takes 13 bits");

static void put(struct tainted_tasks *t, __u32 pid, __u64 task)
{
	unsigned int i = slot_of(pid, task);

	t->slot[i].pid = pid;
	t->slot[i].task = task;
}

void tainted_tasks_note(struct tainted_tasks *t, const struct nstaint_event *e)
{
	switch (e->type) {
	case NSTAINT_EV_TASK_ON_TAINTED_THREAD:
	case NSTAINT_EV_TASK_SUMMARY:
		if (e->task_kind && e->task_id)
			put(t, e->pid, e->task_id);
		break;
	case NSTAINT_EV_THREAD_TAINTED:
		/* The owner ran there unlocked: it moved the thread and
		 * went on running on it. */
		if (e->owner_kind && e->owner_id &&
		    !(e->flags & NSTAINT_F_TASK_LOCKED))
			put(t, e->pid, e->owner_id);
		break;
	default:
		break;
	}
}

bool tainted_tasks_has(const struct tainted_tasks *t, __u32 pid, __u64 task)
{
	unsigned int i = slot_of(pid, task);

	return task && t->slot[i].task == task && t->slot[i].pid == pid;
}

void tainted_tasks_forget(struct tainted_tasks *t, __u32 pid)
{
	for (unsigned int i = 0; i < TAINTED_TASKS_SLOTS; i++)
		if (t->slot[i].pid == pid)
			t->slot[i].task = t->slot[i].pid = 0;
}
