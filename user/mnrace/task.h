/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Tasks, the unit of concurrency: a pthread or a libmn task.  A
 * task holds a slot and a vector clock; its own entry is its epoch, which
 * grows after every release, so that what it does afterwards is not
 * covered by what it released.  It keeps a shadow call stack
 * (__tsan_func_entry/exit) and writes its history into its slot's trace.
 *
 * The task running on this thread is one thread-local pointer (mnr_cur):
 * libmn's switch is one store of it (libmn.c).
 */
#ifndef MNRACE_TASK_H
#define MNRACE_TASK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cell.h"
#include "rt.h"
#include "slot.h"
#include "vclock.h"

#define STACK_MAX	128	/* shadow call stack frames kept */
#define REPORT_FRAMES	64	/* frames in a stored or printed stack */

struct trace_part;

struct task {
	uint32_t id;
	uint32_t slot;
	uint32_t epoch;		/* == vc.e[slot]; set with task_set_epoch */
	uint64_t cell_se;	/* its cells' slot and epoch half (access.h) */
	uint32_t hold;		/* SLOT_RUNNING, SLOT_IDLE, SLOT_LOST: atomic */
	/*
	 * The slot's earlier owners: their cells have epochs below
	 * slot_base (the task's first epoch there), and they happen before
	 * the task only up to prev_known (what it acquired of that slot).
	 * Its own clock entry cannot say that: it is the task's own epoch.
	 */
	uint32_t slot_base, prev_known;
	struct vclock vc;
	struct trace_part *tpart;	/* part of the slot's trace written now */
	uint32_t depth;		/* may exceed STACK_MAX: frames beyond are lost */
	/* Return addresses, outermost first: STACK_MAX of them, allocated
	 * when the task starts (a spawned task waiting to run has none). */
	uintptr_t *stk;

	/* pthread lifecycle (pthread.c) */
	pthread_t pth;
	uint32_t life;		/* TASK_EXITED | TASK_DETACHED, atomic */
	struct vclock exit_vc;	/* its clock when it ended, for join */
	struct task *hnext;	/* pthread_t hash chain */
};

/*
 * Whether a task's slot can be taken from it (slot.c): SLOT_RUNNING while
 * it runs (a pthread always), SLOT_IDLE while a libmn task is switched
 * out, SLOT_LOST once its slot went to another task (or before it had
 * one, or after it ended): it takes a new one when it runs again.
 */
#define SLOT_RUNNING	0u
#define SLOT_IDLE	1u
#define SLOT_LOST	2u

#define TASK_EXITED	1u
#define TASK_DETACHED	2u

/* What a report says about a task, kept after it ends. */
struct task_info {
	pid_t tid;		/* thread it runs on (last seen) */
	uint32_t parent;	/* task id, 0: none (the main task, adopted threads) */
	uint32_t create_stack;	/* stack depot id of its creation, 0: none */
	bool alive;
	uintptr_t stack_lo, stack_hi, tls_lo, tls_hi;
};

/*
 * @t's slot is @slot and its epoch @epoch from now on.  The one way to
 * set them: every check of an access starts from cell_se, which a
 * direct store would leave behind (the access would look recorded at its
 * old epoch: a missed race).
 */
static inline void task_set_epoch(struct task *t, uint32_t slot, uint32_t epoch)
{
	t->slot = slot;
	t->epoch = epoch;
	t->cell_se = cell_make(slot, epoch, 0, false, false);
}

/* Cell @c (slot @slot, epoch @epoch) is @t's own access, made in its slot. */
static inline bool task_owns(const struct task *t, uint32_t slot, uint32_t epoch)
{
	return slot == t->slot && epoch >= t->slot_base;
}

/*
 * The access of @slot at @epoch happens before @t's present: FastTrack's
 * epoch test, and for an access by an earlier owner of @t's own slot
 * (a task that ended, or that lost the slot while it did not run) what
 * @t acquired of it.
 */
static inline bool task_knows(const struct task *t, uint32_t slot, uint32_t epoch)
{
	if (unlikely(slot == t->slot))
		return epoch <= t->prev_known;
	return vc_get(&t->vc, slot) >= epoch;
}

extern __thread struct task *mnr_cur;
/* Non-zero while the runtime itself runs on this thread: interposed
 * functions it calls (libdw's malloc) pass straight through. */
extern __thread int mnr_in_rt;

struct task *task_adopt(void);

/* The current task; a thread the runtime did not see start becomes one. */
static inline struct task *task_cur(void)
{
	struct task *t = mnr_cur;

	return likely(t) ? t : task_adopt();
}

/* A task created by @parent (0: none) at stack @create_stack, not yet
 * running: task_start makes it the current task of the calling thread. */
struct task *task_new(uint32_t parent, uint32_t create_stack);
void task_start(struct task *t);
/* The same for a task of an M:N runtime (libmn), which runs on its own
 * stack [stack_lo, stack_hi) on whatever thread; its TLS is the thread's.
 * The stack's shadow is the runtime's to reset (shadow_reset_resident)
 * when the stack is handed on. */
void task_start_on(struct task *t, uintptr_t stack_lo, uintptr_t stack_hi);
/*
 * A libmn task switched in: @t runs from now on (keeping its slot if it is
 * still its own) and is mnr_cur.  task_idle: it is switched out, its slot
 * may be taken.  Until slots first run short (mnr_slots_scarce, set once
 * by slot.c) neither touches the hold: a task that never said it was idle
 * is never preempted, and a switch costs a load, not a locked
 * instruction (yield: 1.04x TSan's slowdown with it, 0.88 without).
 */
/* Its slot was taken: a new one, and a history part there. */
void task_reattach(struct task *t);

static inline void task_resume(struct task *t)
{
	uint32_t seen = SLOT_IDLE;

	if (unlikely(__atomic_load_n(&mnr_slots_scarce, __ATOMIC_RELAXED)) &&
	    !__atomic_compare_exchange_n(&t->hold, &seen, SLOT_RUNNING, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED) &&
	    seen == SLOT_LOST)	/* SLOT_RUNNING: it went out before the shortage */
		task_reattach(t);
	mnr_cur = t;
}

static inline void task_idle(struct task *t)
{
	if (unlikely(__atomic_load_n(&mnr_slots_scarce, __ATOMIC_RELAXED)))
		__atomic_store_n(&t->hold, SLOT_IDLE, __ATOMIC_RELEASE);
}

/* @t stops running for good: its slot goes back, its info stays. */
void task_end(struct task *t);
void task_free(struct task *t);
/* The calling thread's task ended with @vc: what the thread runs after
 * it (the dead task of task.c) releases that. */
void task_leave_clock(const struct vclock *vc);

void task_tick(struct task *t);
void task_acquire(struct task *t, const struct vclock *src);
void task_release(struct task *t, struct vclock *dst);
void task_release_store(struct task *t, struct vclock *dst);

/* The current stack of @t with @pc innermost, stored in the depot. */
uint32_t task_stack_id(struct task *t, uintptr_t pc);
/* The same with the interceptor @fn as frame #0 and its caller @pc as
 * #1, when @pc may be in uninstrumented code whose callers are on no
 * shadow stack: they are unwound (slow: thread creation only). */
uint32_t task_stack_id_unwound(struct task *t, uintptr_t pc, const void *fn);

/* What reports know of tasks (taskinfo.c): set while the task lives;
 * retired when it ends or is freed, kept for the last tasks to end. */
void task_info_set(uint32_t id, const struct task_info *ti);
void task_info_retire(uint32_t id);
bool task_info_get(uint32_t id, struct task_info *out);
/* The task whose stack (or TLS, *tls) holds @a; 0: none. */
uint32_t task_owning(uintptr_t a, bool *tls);

void task_info_init(void);
void task_init(void);

#endif
