// SPDX-License-Identifier: GPL-2.0-only
/*
 * C++ operator new and delete, interposed (their mangled names), so an
 * allocation's stack starts at the program's new-expression: libstdc++'s
 * own operator new is not instrumented and would hide the caller.  A
 * failed throwing new cannot throw from here (the runtime is C): it
 * aborts with a message, as an unhandled std::bad_alloc would.
 */
#include <malloc.h>
#include <stddef.h>

#include "heap.h"
#include "init.h"
#include "rt.h"

static void *new_block(size_t n, size_t al, uintptr_t pc, const void *fn, int nothrow)
{
	void *p;

	mnr_init_early();
	p = al ? __libc_memalign(al, n ? n : 1) : __libc_malloc(n ? n : 1);
	if (!p && !nothrow)
		rt_fatal("operator new: out of memory (%zu bytes)", n);
	return heap_on_alloc(p, n, pc, fn);
}

static void delete_block(void *p, uintptr_t pc, const void *fn)
{
	if (!p)
		return;
	heap_on_free(p, pc, fn);
	__libc_free(p);
}

#define NEW(name, params, n, al, nothrow)				\
	MNR_EXPORT __attribute__((noinline)) void *name params		\
	{								\
		return new_block(n, al, MNR_PC(), name, nothrow);		\
	}
#define DELETE(name, params)						\
	MNR_EXPORT __attribute__((noinline)) void name params		\
	{								\
		delete_block(p, MNR_PC(), name);				\
	}

/* new, new[]; nothrow; aligned; aligned nothrow */
NEW(_Znwm, (size_t n), n, 0, 0)
NEW(_Znam, (size_t n), n, 0, 0)
NEW(_ZnwmRKSt9nothrow_t, (size_t n, const void *nt), n, 0, 1)
NEW(_ZnamRKSt9nothrow_t, (size_t n, const void *nt), n, 0, 1)
NEW(_ZnwmSt11align_val_t, (size_t n, size_t al), n, al, 0)
NEW(_ZnamSt11align_val_t, (size_t n, size_t al), n, al, 0)
NEW(_ZnwmSt11align_val_tRKSt9nothrow_t, (size_t n, size_t al, const void *nt), n, al, 1)
NEW(_ZnamSt11align_val_tRKSt9nothrow_t, (size_t n, size_t al, const void *nt), n, al, 1)

/* delete, delete[]; sized; aligned; sized aligned; nothrow */
DELETE(_ZdlPv, (void *p))
DELETE(_ZdaPv, (void *p))
DELETE(_ZdlPvm, (void *p, size_t n))
DELETE(_ZdaPvm, (void *p, size_t n))
DELETE(_ZdlPvSt11align_val_t, (void *p, size_t al))
DELETE(_ZdaPvSt11align_val_t, (void *p, size_t al))
DELETE(_ZdlPvmSt11align_val_t, (void *p, size_t n, size_t al))
DELETE(_ZdaPvmSt11align_val_t, (void *p, size_t n, size_t al))
DELETE(_ZdlPvRKSt9nothrow_t, (void *p, const void *nt))
DELETE(_ZdaPvRKSt9nothrow_t, (void *p, const void *nt))
DELETE(_ZdlPvSt11align_val_tRKSt9nothrow_t, (void *p, size_t al, const void *nt))
DELETE(_ZdaPvSt11align_val_tRKSt9nothrow_t, (void *p, size_t al, const void *nt))
