/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mnrace annotations, for synchronisation mnrace cannot see (hand-written
 * with plain accesses or inline assembly, another process).  Link with
 * libmnrace (build/mnrace-cc does).  docs/mnrace.md.
 */
#ifndef MNRACE_H
#define MNRACE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What the calling task did so far happens before whatever a task does
 * after a later mnrace_acquire() of the same address. */
void mnrace_release(const volatile void *addr);
void mnrace_acquire(const volatile void *addr);

/* Accesses to [addr, addr + size) are never reported, until the memory
 * is allocated anew (malloc) or freed. */
void mnrace_ignore_range(const volatile void *addr, size_t size);

/*
 * A barrier that creates no happens-before edge (as the one of TSan's
 * test.h, same names and 32-bit word): tests use it to order two accesses
 * without synchronising them.  *b is owned by the runtime: initialise it
 * once with the number of tasks (1 to 4095) that wait on it.
 */
typedef unsigned invisible_barrier_t;
void __tsan_testonly_barrier_init(invisible_barrier_t *b, unsigned count);
void __tsan_testonly_barrier_wait(invisible_barrier_t *b);

#ifdef __cplusplus
}
#endif

#endif
