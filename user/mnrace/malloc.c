// SPDX-License-Identifier: GPL-2.0-only
/*
 * The malloc family, interposed: glibc allocates, mnrace remembers the
 * block (heap.h) and its shadow.  A new block is written by the
 * allocating task, as if it had initialised it (a pointer handed to
 * another task without synchronisation races on first use), unless it
 * was allocated by uninstrumented code (then it has no history).  free()
 * is a write of the block's first KiB (FREE_CHECKED), checked (freeing
 * races with unsynchronised use), then that head stays marked freed
 * (blocks up to FREED_MARK_MAX bytes), so any later access to it is
 * reported as a use after free.  A
 * free() called from uninstrumented code (glibc, ld.so) only marks the
 * block: its write is as invisible as that code's other accesses
 * (instr.h).
 *
 * Before the runtime is up, and while the runtime itself allocates
 * (libdw during a report), calls pass straight to glibc and the block is
 * not remembered; free() of a block it does not know just frees it.
 */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "access.h"
#include "fork.h"
#include "heap.h"
#include "init.h"
#include "instr.h"
#include "scope.h"
#include "shadow.h"

struct binfo {
	uint64_t size;		/* or the next free index, when free */
	uint32_t stack, task;
};

#define MAX_BLOCKS	(1u << 28)
/* Blocks up to this size stay marked freed (use after free is seen). */
#define FREED_MARK_MAX	(1u << 20)
/* free() checks and marks a block's first FREE_CHECKED bytes, as TSan
 * does: touching all of a big block's shadow at every free costs more
 * than the races past its head it would find. */
#define FREE_CHECKED	1024

static struct binfo *blocks;	/* index 0 unused: 0 in meta is "none" */
static uint32_t free_head, next_fresh = 1;
static spin_t lock;

void heap_init(void)
{
	blocks = rt_mmap((size_t)MAX_BLOCKS * sizeof(*blocks));
	fork_guard(&lock);
}

/*
 * Block indices go through a small per-thread cache, so that malloc and
 * free seldom take the table's lock: a thread refills or spills half a
 * cache at a time.  A thread's cache dies with it (those indices are
 * lost: at most CACHE per ended thread).
 */
#define CACHE	64
static __thread uint32_t cache[CACHE];
static __thread unsigned ncache;

static uint32_t binfo_get(void)
{
	if (likely(ncache))
		return cache[--ncache];
	spin_lock(&lock);
	while (ncache < CACHE / 2) {
		uint32_t i;

		if (free_head) {
			i = free_head;
			free_head = blocks[i].size;
		} else if (next_fresh < MAX_BLOCKS) {
			i = next_fresh++;
		} else {
			break;	/* table full: blocks are not remembered */
		}
		cache[ncache++] = i;
	}
	spin_unlock(&lock);
	return ncache ? cache[--ncache] : 0;
}

static void binfo_put(uint32_t i)
{
	if (likely(ncache < CACHE)) {
		cache[ncache++] = i;
		return;
	}
	spin_lock(&lock);
	while (ncache > CACHE / 2) {
		uint32_t j = cache[--ncache];

		blocks[j].size = free_head;
		free_head = j;
	}
	spin_unlock(&lock);
	cache[ncache++] = i;
}

static bool tracking(void)
{
	return likely(mnr_ready()) && !mnr_in_rt;
}

void *heap_on_alloc(void *p, size_t n, uintptr_t pc, const void *fn)
{
	struct task *t;
	uint32_t *meta, i;
	uintptr_t ipc;

	if (!p || !tracking() || !(meta = meta_of((uintptr_t)p)))
		return p;
	t = task_cur();
	ipc = scope_enter(t, pc, fn);
	i = binfo_get();
	if (i) {
		blocks[i].size = n;
		blocks[i].task = t->id;
		blocks[i].stack = task_stack_id(t, ipc);
	}
	__atomic_store_n(meta, i, __ATOMIC_RELEASE);
	/*
	 * The block's words are all rewritten; only the slack after it is
	 * reset.  A block allocated by uninstrumented code (libmn's own, an
	 * M that tasks read through mn_abi.h) is written as invisibly as
	 * that code's other accesses: it just starts with no history.
	 */
	if (!pc_instrumented(pc)) {
		shadow_reset((uintptr_t)p, malloc_usable_size(p));
	} else {
		access_mark_written(t, (uintptr_t)p, n ? n : 1, ipc, false);
		shadow_reset(((uintptr_t)p + (n ? n : 1) + 7) & ~7ULL,
			     malloc_usable_size(p) - (((n ? n : 1) + 7) & ~7ULL));
	}
	scope_exit(t);
	return p;
}

/* The check comes first, while a report can still name the block. */
int64_t heap_on_free(void *p, uintptr_t pc, const void *fn)
{
	uint32_t *meta = meta_of((uintptr_t)p), i;
	struct task *t;
	uint64_t n;

	if (!meta || !(i = __atomic_load_n(meta, __ATOMIC_ACQUIRE)))
		return -1;
	n = blocks[i].size;
	if (tracking()) {
		size_t head = n < FREE_CHECKED ? (n ? n : 1) : FREE_CHECKED;

		uintptr_t ipc;

		t = task_cur();
		ipc = scope_enter(t, pc, fn);
		/* A big block's shadow goes back to the kernel instead. */
		if (n > FREED_MARK_MAX) {
			if (pc_instrumented(pc))
				access_range(t, (uintptr_t)p, head, true, ipc);
			shadow_reset((uintptr_t)p, n);
		} else {
			access_free(t, (uintptr_t)p, head, ipc, pc_instrumented(pc));
		}
		scope_exit(t);
	}
	__atomic_store_n(meta, 0, __ATOMIC_RELEASE);
	binfo_put(i);
	return n;
}

bool heap_block_of(uintptr_t a, struct heap_block *out)
{
	uintptr_t lo = app_window_start(a), g = a & ~(uintptr_t)(META_GRANULE - 1);
	uint32_t *meta;

	/* Back to the nearest block start; a block is at most 1 GiB here. */
	for (size_t k = 0; k < (1u << 26) && g >= lo; k++, g -= META_GRANULE) {
		uint32_t i;

		meta = meta_of(g);
		if (!meta)
			return false;
		i = __atomic_load_n(meta, __ATOMIC_ACQUIRE);
		if (!i)
			continue;
		if (a >= g + (blocks[i].size ? blocks[i].size : 1))
			return false;
		out->start = g;
		out->size = blocks[i].size;
		out->stack = blocks[i].stack;
		out->task = blocks[i].task;
		return true;
	}
	return false;
}

MNR_EXPORT void *malloc(size_t n)
{
	mnr_init_early();
	return heap_on_alloc(__libc_malloc(n), n, MNR_PC(), malloc);
}

MNR_EXPORT void *calloc(size_t n, size_t m)
{
	size_t sz;

	mnr_init_early();
	if (__builtin_mul_overflow(n, m, &sz)) {
		errno = ENOMEM;
		return NULL;
	}
	return heap_on_alloc(__libc_calloc(n, m), sz, MNR_PC(), calloc);
}

MNR_EXPORT void free(void *p)
{
	if (p)
		heap_on_free(p, MNR_PC(), free);
	__libc_free(p);
}

/* As malloc + copy + free, so the copy is checked like any other. */
MNR_EXPORT void *realloc(void *p, size_t n)
{
	uintptr_t pc = MNR_PC();
	struct task *t;
	uint32_t *meta;
	void *q;
	size_t old;

	mnr_init_early();
	if (!p)
		return heap_on_alloc(__libc_malloc(n), n, pc, realloc);
	meta = meta_of((uintptr_t)p);
	if (!tracking() || !meta || !*meta)
		return __libc_realloc(p, n);	/* a block mnrace never saw */
	if (!n) {
		heap_on_free(p, pc, realloc);
		__libc_free(p);
		return NULL;
	}
	q = heap_on_alloc(__libc_malloc(n), n, pc, realloc);
	if (!q)
		return NULL;
	old = blocks[*meta].size;
	t = task_cur();
	access_range(t, (uintptr_t)p, old < n ? old : n, false, scope_enter(t, pc, realloc));
	scope_exit(t);
	memcpy(q, p, old < n ? old : n);
	heap_on_free(p, pc, realloc);
	__libc_free(p);
	return q;
}

MNR_EXPORT void *reallocarray(void *p, size_t n, size_t m)
{
	size_t sz;

	if (__builtin_mul_overflow(n, m, &sz)) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, sz);
}

MNR_EXPORT void *memalign(size_t al, size_t n)
{
	mnr_init_early();
	return heap_on_alloc(__libc_memalign(al, n), n, MNR_PC(), memalign);
}

MNR_EXPORT void *aligned_alloc(size_t al, size_t n)
{
	mnr_init_early();
	return heap_on_alloc(__libc_memalign(al, n), n, MNR_PC(), aligned_alloc);
}

MNR_EXPORT int posix_memalign(void **pp, size_t al, size_t n)
{
	void *p;

	mnr_init_early();
	if (al < sizeof(void *) || (al & (al - 1)))
		return EINVAL;
	p = __libc_memalign(al, n);
	if (!p)
		return ENOMEM;
	*pp = heap_on_alloc(p, n, MNR_PC(), posix_memalign);
	return 0;
}

MNR_EXPORT void *valloc(size_t n)
{
	mnr_init_early();
	return heap_on_alloc(__libc_memalign(sysconf(_SC_PAGESIZE), n), n, MNR_PC(), valloc);
}
