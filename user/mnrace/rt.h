/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What every part of the mnrace runtime shares: branch hints, the
 * runtime's own allocator (never the program's malloc, so the runtime's
 * memory is not the program's), a spinlock (the runtime must
 * not call the pthread functions it interposes), and the exported-symbol
 * marker (everything else is hidden: -fvisibility=hidden).
 */
#ifndef MNRACE_RT_H
#define MNRACE_RT_H

#include <stddef.h>
#include <stdint.h>
#include <sched.h>

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#define MNR_EXPORT	__attribute__((visibility("default")))
#define MNR_PC()	((uintptr_t)__builtin_return_address(0))

void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t m);
void *__libc_realloc(void *p, size_t n);
void *__libc_memalign(size_t align, size_t n);
void __libc_free(void *p);

/* Memory of the runtime itself, apart from the program's heap (rtmem.c);
 * aborts with a message when exhausted. */
void *rt_alloc(size_t n);	/* zeroed */
void *rt_realloc(void *p, size_t n);
void rt_free(void *p);
/* Anonymous NORESERVE memory, zeroed; for large tables. */
void *rt_mmap(size_t n);
/* The allocator's lock, taken last around fork (fork.c): every other
 * runtime lock may be held while allocating. */
void rt_mem_fork_lock(void);
void rt_mem_fork_unlock(void);

/* Print "mnrace: <msg>" to stderr and exit with status 1: the runtime
 * cannot go on (bad input, no memory, the shadow cannot be reserved). */
__attribute__((noreturn, format(printf, 1, 2)))
void rt_fatal(const char *fmt, ...);

typedef struct { int v; } spin_t;

static inline void spin_lock(spin_t *l)
{
	for (int n = 0;; n++) {
		if (!__atomic_load_n(&l->v, __ATOMIC_RELAXED) &&
		    !__atomic_exchange_n(&l->v, 1, __ATOMIC_ACQUIRE))
			return;
		if (n > 64)
			sched_yield();
		else
			__builtin_ia32_pause();
	}
}

static inline void spin_unlock(spin_t *l)
{
	__atomic_store_n(&l->v, 0, __ATOMIC_RELEASE);
}

#endif
