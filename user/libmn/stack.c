// SPDX-License-Identifier: GPL-2.0-only
/*
 * stack.c: task stacks (Go's stack.go, without growth: a libmn stack has
 * a fixed size, MN_STACK_SIZE, 64 KiB by default).
 *
 * Owns: allocating a stack (mmap, a PROT_NONE guard page below it, or
 * slabs of unguarded stacks past the map-count budget), the per-P and
 * global caches of free stacks, and the first frame of a new task.
 *
 * Invariants:
 *  - g->stack is the mapping's base: the guard page (mn_pagesz bytes),
 *    then g->stack_size usable bytes.  g->stack is NULL until the task
 *    first runs and again once it is dead (gfput gives it back).
 *  - Stacks are never unmapped; a cached stack's free-list link is its
 *    lowest usable word (g->stack + mn_pagesz), which no task owns then.
 *  - p->stacks[] is used only by the M holding P p; the global pool
 *    (stackpool) only under stackpool_lock, read without it as a hint.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"
#include "frame.h"

size_t mn_pagesz;
static _Atomic long guarded_stacks;
static long guard_limit;
static _Atomic int guard_warned;
static uint32_t slab_lock;
static char *slab_next, *slab_end;

/*
 * Stacks are allocated when a task first runs, not when it is created,
 * so a million queued tasks cost a million small structs, not stacks.
 * Each stack has a PROT_NONE guard page below it, which costs two VMAs;
 * past half of vm.max_map_count (minus room for everyone else) we carve
 * unguarded stacks from large slabs instead of failing, and say so once.
 * Stacks are never unmapped: a dead task's stack goes to the caches below
 * for the next task to run.  Any thread; no lock held.
 */
static void stack_alloc(struct mn_g *g)
{
	size_t sz = mn_sched.stack_size, span = sz + mn_pagesz;
	char *p;

	if (atomic_fetch_add(&guarded_stacks, 1) < guard_limit) {
		p = mmap(NULL, span, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
		if (p != MAP_FAILED && mprotect(p, mn_pagesz, PROT_NONE) == 0)
			goto done;
		if (p != MAP_FAILED)
			munmap(p, span);
	}
	atomic_fetch_sub(&guarded_stacks, 1);
	if (!atomic_exchange(&guard_warned, 1))
		fprintf(stderr, "libmn: warning: %ld guarded task stacks reach vm.max_map_count: "
			"further stacks have no guard page\n", guard_limit);
	mn_lk_lock(&slab_lock);
	if (!slab_next || slab_next + span > slab_end) {
		size_t slab = span * 256;

		p = mmap(NULL, slab, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
		if (p == MAP_FAILED) {
			mn_lk_unlock(&slab_lock);
			mn_fatal("out of memory allocating task stacks: %s", strerror(errno));
		}
		slab_next = p;
		slab_end = p + slab;
	}
	p = slab_next;
	slab_next += span;
	mn_lk_unlock(&slab_lock);
done:
	g->stack = p;
	g->stack_size = sz;
}

/*
 * Stack cache: dead tasks give their stack back here rather than keep it,
 * so a burst of tasks that never overlap reuses a handful of stacks.  The
 * free list is threaded through the stacks' lowest usable word.
 */
static uint32_t stackpool_lock;
static char *stackpool;

/* Give back a dead task's stack.  Owner P only (p->stacks is not locked). */
void mn_stack_put(struct mn_p *p, char *stk)
{
	if (p->nstacks < STACK_CACHE) {
		p->stacks[p->nstacks++] = stk;
		return;
	}
	mn_lk_lock(&stackpool_lock);
	while (p->nstacks > STACK_CACHE / 2) {
		char *x = p->stacks[--p->nstacks];

		*(char **)(x + mn_pagesz) = stackpool;
		__atomic_store_n(&stackpool, x, __ATOMIC_RELAXED);
	}
	*(char **)(stk + mn_pagesz) = stackpool;
	__atomic_store_n(&stackpool, stk, __ATOMIC_RELAXED);
	mn_lk_unlock(&stackpool_lock);
}

/* A stack for g, which has none.  Owner P only. */
void mn_stack_get(struct mn_p *p, struct mn_g *g)
{
	if (!p->nstacks && __atomic_load_n(&stackpool, __ATOMIC_RELAXED)) {
		mn_lk_lock(&stackpool_lock);
		while (stackpool && p->nstacks < STACK_CACHE / 2) {
			p->stacks[p->nstacks++] = stackpool;
			__atomic_store_n(&stackpool, *(char **)(stackpool + mn_pagesz), __ATOMIC_RELAXED);
		}
		mn_lk_unlock(&stackpool_lock);
	}
	if (p->nstacks) {
		g->stack = p->stacks[--p->nstacks];
		g->stack_size = mn_sched.stack_size;
		return;
	}
	stack_alloc(g);
}

static long read_max_map_count(void)
{
	FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
	long v = 65530;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = 65530;
		fclose(f);
	}
	return v;
}

/* The first frame of g, which has a stack and has not run yet: the
 * switch into it starts mn_task_entry (frame.h).  16 bytes above the
 * frame stay unused, the top of the stack 16-byte aligned. */
void mn_g_prepare(struct mn_g *g)
{
	uintptr_t top = ((uintptr_t)g->stack + mn_pagesz + g->stack_size) & ~(uintptr_t)15;
	struct mn_frame *f = (struct mn_frame *)(top - 16 - MN_FRAME_SIZE);

	*f = (struct mn_frame){
		.mxcsr = MN_MXCSR_INIT,
		.fcw = MN_FCW_INIT,
		.r12 = (uint64_t)(uintptr_t)g,
		.ret = (uint64_t)(uintptr_t)mn_task_entry,
	};
	g->sp = f;
}

/* Once, from mn_runtime_init, before any task exists. */
void mn_stack_init(void)
{
	mn_pagesz = (size_t)sysconf(_SC_PAGESIZE);
	guard_limit = (read_max_map_count() - 16384) / 2;
	if (guard_limit < 0)
		guard_limit = 0;
}
