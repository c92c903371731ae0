// SPDX-License-Identifier: GPL-2.0-only
/*
 * stack.c: task stacks (Go's stack.go, without growth: a libmn stack has
 * a fixed size, MN_STACK_SIZE, 64 KiB by default).
 *
 * Owns: allocating a stack (carved from chunks of 32 mapped at once, a
 * guard page below each, or unguarded past the map-count budget of
 * mprotect guards), the per-P and global caches of free stacks, and the
 * first frame of a new task.
 *
 * Invariants:
 *  - g->stack is the mapping's base: the guard page (mn_pagesz bytes),
 *    then g->stack_size usable bytes.  g->stack is NULL until the task
 *    first runs and again once it is dead (gfput gives it back).
 *  - Stacks are never unmapped; a cached stack's free-list link is in
 *    the 16 bytes at its top that mn_g_prepare leaves unused
 *    (stack_link), which no task owns then.
 *  - p->stacks[] is used only by the M holding P p; the global pool
 *    (stackpool) only under stackpool_lock, read without it as a hint.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "internal.h"
#include "frame.h"

size_t mn_pagesz;
static _Atomic long guarded_stacks;
static long guard_limit;
static _Atomic int guard_warned;
static _Atomic bool light_guards = true;	/* until the kernel refuses them */

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102		/* Linux 6.13 */
#endif
#define PIDFD_SELF_THREAD (-10000)	/* Linux 6.15: this thread, hence this mm */
#define STACK_CHUNK 32			/* stacks per mmap */

/*
 * Put a guard page at the base of each of the @n spans of @span bytes at
 * @base.  Lightweight guards (MADV_GUARD_INSTALL, all of them in one
 * process_madvise) are page-table markers: the chunk stays one VMA.
 * Without them (older kernels), a PROT_NONE mprotect per stack costs two
 * VMAs each, so only while the map-count budget lasts.  Returns how many
 * of the spans, from the first, are guarded.  Any thread.
 */
static int guard_chunk(char *base, size_t span, int n)
{
	int i = 0;

	if (atomic_load_explicit(&light_guards, memory_order_relaxed)) {
		struct iovec iov[STACK_CHUNK];
		ssize_t r;

		for (i = 0; i < n; i++)
			iov[i] = (struct iovec){ base + (size_t)i * span, mn_pagesz };
		r = syscall(SYS_process_madvise, PIDFD_SELF_THREAD, iov, (size_t)n,
			    MADV_GUARD_INSTALL, 0);
		if (r == (ssize_t)(n * mn_pagesz))
			return n;
		/* EBADF, EINVAL: an older kernel; a short count: go on below */
		i = r > 0 ? (int)(r / (ssize_t)mn_pagesz) : 0;
		atomic_store_explicit(&light_guards, false, memory_order_relaxed);
	}
	for (; i < n; i++) {
		if (atomic_fetch_add(&guarded_stacks, 1) >= guard_limit ||
		    mprotect(base + (size_t)i * span, mn_pagesz, PROT_NONE) != 0) {
			atomic_fetch_sub(&guarded_stacks, 1);
			break;
		}
	}
	return i;
}

/*
 * Stacks are allocated when a task first runs, not when it is created,
 * so a million queued tasks cost a million small structs, not stacks.
 * Each P carves them from chunks of STACK_CHUNK of its own, each stack
 * with a guard page below it (guard_chunk): 10k sleeping tasks that each
 * mapped a stack and then split it with mprotect spent 40% of their CPU
 * time in mmap, mprotect and the mmap lock they fought over (perf,
 * timers_10k), and a chunk shared by the Ps made them fight over its lock
 * instead, held over the system calls.  Past the map-count budget of
 * mprotect guards we go on unguarded instead of failing, and say so
 * once.  Stacks are never unmapped: a dead task's stack goes to the
 * caches below for the next task to run.  Owner P only.
 */
static void stack_alloc(struct mn_p *p, struct mn_g *g)
{
	size_t sz = mn_sched.stack_size, span = sz + mn_pagesz;

	if (!p->chunk_next || p->chunk_next + span > p->chunk_end) {
		size_t chunk = span * STACK_CHUNK;
		char *c = mmap(NULL, chunk, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);

		if (c == MAP_FAILED)
			mn_fatal("out of memory allocating task stacks: %s", strerror(errno));
		if (guard_chunk(c, span, STACK_CHUNK) < STACK_CHUNK &&
		    !atomic_exchange(&guard_warned, 1))
			fprintf(stderr, "libmn: warning: %ld guarded task stacks reach "
				"vm.max_map_count: further stacks have no guard page\n",
				guard_limit);
		p->chunk_next = c;
		p->chunk_end = c + chunk;
	}
	g->stack = p->chunk_next;
	g->stack_size = sz;
	p->chunk_next += span;
}

/*
 * Stack cache: dead tasks give their stack back here rather than keep it,
 * so a burst of tasks that never overlap reuses a handful of stacks.  The
 * free list is threaded through the stacks' lowest usable word.
 */
static uint32_t stackpool_lock;
static char *stackpool;

/* The 16-byte aligned top of the stack at @stk: the first frame goes
 * 16 bytes below it (mn_g_prepare). */
static inline uintptr_t stack_top(char *stk)
{
	return ((uintptr_t)stk + mn_pagesz + mn_sched.stack_size) & ~(uintptr_t)15;
}

/* A cached stack's free-list link: in the unused 16 bytes at the top, on
 * the page a task touches first.  The lowest usable word was on a page
 * no task had touched: a page fault for each of 10k stacks given back
 * (perf, timers_10k: 7%). */
static inline char **stack_link(char *stk)
{
	return (char **)(stack_top(stk) - 16);
}

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

		*stack_link(x) = stackpool;
		__atomic_store_n(&stackpool, x, __ATOMIC_RELAXED);
	}
	*stack_link(stk) = stackpool;
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
			__atomic_store_n(&stackpool, *stack_link(stackpool), __ATOMIC_RELAXED);
		}
		mn_lk_unlock(&stackpool_lock);
	}
	if (p->nstacks) {
		g->stack = p->stacks[--p->nstacks];
		g->stack_size = mn_sched.stack_size;
		return;
	}
	stack_alloc(p, g);
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
	uintptr_t top = stack_top(g->stack);
	struct mn_frame *f = (struct mn_frame *)(top - 16 - MN_FRAME_SIZE);

	*f = (struct mn_frame){
		.mxcsr = MN_MXCSR_INIT,
		.fcw = MN_FCW_INIT,
		.r12 = (uint64_t)(uintptr_t)g,
		.ret = (uint64_t)(uintptr_t)mn_task_entry,
	};
	/* Relaxed atomic: runqget's prefetch may read it from another M. */
	__atomic_store_n(&g->sp, (void *)f, __ATOMIC_RELAXED);
}

/* Once, from mn_runtime_init, before any task exists. */
void mn_stack_init(void)
{
	mn_pagesz = (size_t)sysconf(_SC_PAGESIZE);
	guard_limit = (read_max_map_count() - 16384) / 2;
	if (guard_limit < 0)
		guard_limit = 0;
}
