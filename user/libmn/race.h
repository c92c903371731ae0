/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The race detectors' view of libmn: one definition of each hook, called
 * at each synchronisation point and at each step of a task's life, and
 * mapped by the build to whichever detector is there:
 *  - a plain build: mnrace, when the program is linked with it
 *    (mnrace-cc).  libmn refers to mnrace_libmn_abi weakly: without
 *    mnrace its address is 0, and a hook is a load and a not-taken
 *    branch (docs/mnrace.md, "libmn").
 *  - the TSan flavour (MN_TSAN, libmn-tsan.a, itself uninstrumented so
 *    the runtime's own accesses are invisible): TSan's fiber API with
 *    __tsan_switch_to_fiber_no_sync, so a switch is no edge, and
 *    __tsan_acquire/__tsan_release for the edges.
 *
 * The edges, after Go's memory model: spawn (the creator before the
 * task), and per object: an acquire sees every release before it
 * (mutexes, waitgroups...), release_store leaves only the caller's clock
 * in the object (an acquire then a release_store: each operation sees
 * only the one before it on that object, as on a channel's buffer slot,
 * where the k-th receive comes before the (k+C)-th send).  TSan has no release_store: it joins (more edges,
 * never a false report).
 *
 * Hooks run on the task whose operation it is, never on g0: an unlockf
 * (g0) cannot release for the parked task.
 */
#ifndef MN_RACE_H
#define MN_RACE_H

#include <stdint.h>
#include <stdlib.h>

#include "internal.h"

#ifdef MN_TSAN
#include <sanitizer/tsan_interface.h>

#define MN_RACE_ON 1

/* libtsan's, not in its header: ignore the calling thread's accesses
 * (and frees) for a while. */
void __tsan_ignore_thread_begin(void);
void __tsan_ignore_thread_end(void);

static inline void mn_race_task_create(struct mn_g *g, uintptr_t pc)
{
	(void)pc;
	g->race = NULL;
	__tsan_release(g);
}

/*
 * First thing the new task does, on its own stack; and the last.  TSan
 * has no way (in its interface) to forget the accesses a dead task made
 * on the stack the next one gets: the next one acquires the last one's
 * clock through the stack instead (an edge mnrace does not need: its
 * stacks are reset, race.h's mnrace part).
 */
static inline void mn_race_task_begin(struct mn_g *g)
{
	__tsan_acquire(g);
	__tsan_acquire(g->stack);
}

static inline void mn_race_task_exit(struct mn_g *g)
{
	__tsan_release(g->stack);
}

/* g0, once @g returned locked: its thread exits with it, so the task's
 * end happens before what the thread still runs (TLS destructors). */
static inline void mn_race_thread_follows(struct mn_g *g)
{
	__tsan_acquire(g->stack);
}

/* TSan counts fibers as threads (8128 at most): a task gets one when it
 * first runs and gives it back when it ends. */
static inline void mn_race_switch(struct mn_g *from, struct mn_g *to)
{
	(void)from;
	if (!to->race)
		to->race = __tsan_create_fiber(0);
	__tsan_switch_to_fiber(to->race, __tsan_switch_to_fiber_no_sync);
}

static inline void mn_race_task_end(struct mn_g *g)
{
	if (g->race) {
		__tsan_destroy_fiber(g->race);
		g->race = NULL;
	}
}

/* g0's fiber: the thread's own. */
static inline void mn_race_thread_start(struct mn_m *m)
{
	m->g0.race = __tsan_get_current_fiber();
}

static inline void mn_race_acquire(const void *a)
{
	__tsan_acquire((void *)a);
}

static inline void mn_race_release(const void *a)
{
	__tsan_release((void *)a);
}

static inline void mn_race_release_store(const void *a)
{
	__tsan_release((void *)a);
}

/* TSan's read/write interceptors check those buffers themselves. */
static inline void mn_race_access(const void *a, size_t n, bool is_write, uintptr_t pc)
{
	(void)a, (void)n, (void)is_write, (void)pc;
}

/*
 * Runtime memory passing from one thread to another, to be freed there
 * (an M, a channel or context dropped by its last reference, the timer
 * heap): TSan's malloc and free interceptors see the runtime's blocks and
 * check the free against the allocation.  Only for that: these edges are
 * between the runtime's threads, not between tasks' accesses.
 */
static inline void mn_race_rt_release(const void *a)
{
	__tsan_release((void *)a);
}

static inline void mn_race_rt_acquire(const void *a)
{
	__tsan_acquire((void *)a);
}

/*
 * An M: tasks read its nstaint slot (mn_abi.h) as BPF does, with atomics
 * whose publication TSan cannot see in the uninstrumented runtime.  Its
 * free (after the thread is joined) is not checked against those reads.
 */
static inline void mn_race_m_free(struct mn_m *m)
{
	__tsan_ignore_thread_begin();
	free(m);
	__tsan_ignore_thread_end();
}

#else /* mnrace, if linked in */
#include <nstaint/mnrace_abi.h>

/* Is mnrace there?  (In the TSan flavour: always.) */
#define MN_RACE_ON unlikely(&mnrace_libmn_abi != NULL)

/* The calls themselves, out of line and cold: the hot path keeps its
 * shape (no frame, no saved register for a call it never makes). */
static __attribute__((noinline, cold)) void mn_race_call(void (*fn)(const void *), const void *a)
{
	fn(a);
}

static inline void mn_race_task_create(struct mn_g *g, uintptr_t pc)
{
	g->race = MN_RACE_ON ? mnrace_libmn_abi.task_create(pc) : NULL;
}

static inline void mn_race_task_begin(struct mn_g *g)
{
	(void)g;	/* the clock came with task_create */
}

/* The usable bytes of g's stack. */
static inline uintptr_t mn_race_stack_lo(struct mn_g *g)
{
	return (uintptr_t)g->stack + mn_pagesz;
}

static __attribute__((noinline, cold)) void mn_race_call_switch(struct mn_g *to)
{
	mnrace_libmn_abi.task_switch(to->race, to->stack ? mn_race_stack_lo(to) : 0,
				     to->stack ? mn_race_stack_lo(to) + to->stack_size : 0);
}

static inline void mn_race_switch(struct mn_g *from, struct mn_g *to)
{
	(void)from;
	if (MN_RACE_ON)
		mn_race_call_switch(to);
}

static inline void mn_race_task_end(struct mn_g *g)
{
	if (MN_RACE_ON && g->race) {
		mnrace_libmn_abi.task_end(g->race, mn_race_stack_lo(g),
					  mn_race_stack_lo(g) + g->stack_size);
		g->race = NULL;
	}
}

static inline void mn_race_thread_start(struct mn_m *m)
{
	(void)m;	/* g0.race stays NULL: the thread's own task */
}

static inline void mn_race_acquire(const void *a)
{
	if (MN_RACE_ON)
		mn_race_call(mnrace_libmn_abi.acquire, a);
}

static inline void mn_race_release(const void *a)
{
	if (MN_RACE_ON)
		mn_race_call(mnrace_libmn_abi.release, a);
}

static inline void mn_race_release_store(const void *a)
{
	if (MN_RACE_ON)
		mn_race_call(mnrace_libmn_abi.release_store, a);
}

/* task_end comes once it is off its stack; a task that returns locked
 * takes its thread with it: its clock goes to the thread's own task. */
static inline void mn_race_task_exit(struct mn_g *g)
{
	if (g->lockcount)
		mn_race_release_store(g->stack);
}

static inline void mn_race_thread_follows(struct mn_g *g)
{
	mn_race_acquire(g->stack);
}

/* A buffer the calling task's call at @pc read or wrote through libmn
 * (mn_read, mn_write), after the read/write interposer's own check (at
 * libmn's line): the history then gives the program's line. */
static __attribute__((noinline, cold)) void mn_race_call_access(const void *a, size_t n, bool w,
								 uintptr_t pc)
{
	mnrace_libmn_abi.access(a, n, w, pc);
}

static inline void mn_race_access(const void *a, size_t n, bool is_write, uintptr_t pc)
{
	if (MN_RACE_ON && n)
		mn_race_call_access(a, n, is_write, pc);
}

/* mnrace sees none of libmn's own mallocs and frees (libmn.so is
 * uninstrumented code to it): nothing to order. */
static inline void mn_race_rt_release(const void *a)
{
	(void)a;
}

static inline void mn_race_rt_acquire(const void *a)
{
	(void)a;
}

static inline void mn_race_m_free(struct mn_m *m)
{
	free(m);
}
#endif

#endif
