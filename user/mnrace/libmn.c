// SPDX-License-Identifier: GPL-2.0-only
/*
 * libmn's tasks and edges (include/nstaint/mnrace_abi.h).  A libmn task is
 * a struct task like a pthread's, created when it is spawned (holding
 * its creator's clock), started on its first switch (a slot, a history
 * part) and ended when it returns.  A switch only sets mnr_cur: the
 * thread's own task (its scheduler code, mnr_home) comes back when the
 * task switches out, so two tasks on one thread are as concurrent as on
 * two.
 */
#include "../../include/nstaint/mnrace_abi.h"
#include "access.h"
#include "shadow.h"
#include "sync.h"
#include "task.h"

static __thread struct task *mnr_home;	/* the thread's own task */

static void *mn_task_create(uintptr_t pc)
{
	struct task *self = task_cur(), *t;

	t = task_new(self->id, task_stack_id(self, pc));
	task_release_store(self, &t->vc);
	return t;
}

static void mn_task_switch(void *task, uintptr_t stack_lo, uintptr_t stack_hi)
{
	struct task *t = task, *old;

	if (unlikely(!mnr_home))
		mnr_home = task_cur();
	/* The task switched out may lose its slot while it does not run. */
	old = mnr_cur;
	if (old && old != mnr_home && old != t)
		task_idle(old);
	if (!t) {
		mnr_cur = mnr_home;
		return;
	}
	if (unlikely(!t->tpart))
		task_start_on(t, stack_lo, stack_hi);	/* sets mnr_cur */
	else
		task_resume(t);	/* sets mnr_cur */
}

static void mn_task_end(void *task, uintptr_t stack_lo, uintptr_t stack_hi)
{
	struct task *t = task;

	if (t->tpart)
		task_end(t);
	shadow_reset_resident(stack_lo, stack_hi - stack_lo);
	task_free(t);
}

static void mn_acquire(const void *a)
{
	sync_acquire(task_cur(), (uintptr_t)a);
}

static void mn_release(const void *a)
{
	sync_release(task_cur(), (uintptr_t)a);
}

static void mn_release_store(const void *a)
{
	struct sync *s = sync_lock((uintptr_t)a);

	task_release_store(task_cur(), &s->clock);
	sync_unlock(s);
}

static void mn_access(const void *a, size_t n, int is_write, uintptr_t pc)
{
	access_range(task_cur(), (uintptr_t)a, n, is_write, pc);
}

MNR_EXPORT const struct mnrace_libmn_abi mnrace_libmn_abi = {
	.task_create = mn_task_create,
	.task_switch = mn_task_switch,
	.task_end = mn_task_end,
	.acquire = mn_acquire,
	.release = mn_release,
	.release_store = mn_release_store,
	.access = mn_access,
};
