/* SPDX-License-Identifier: GPL-2.0-only */
/* Checking an access against the shadow and recording it (access.c). */
#ifndef MNRACE_ACCESS_H
#define MNRACE_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cell.h"
#include "shadow.h"
#include "task.h"

/* One of a word's cells is exactly @cur. */
static inline bool cells_hold(const uint64_t *sh, uint64_t cur)
{
	_Static_assert(SHADOW_CELLS == 4, "one load per cell below");
	return __atomic_load_n(&sh[0], __ATOMIC_RELAXED) == cur ||
	       __atomic_load_n(&sh[1], __ATOMIC_RELAXED) == cur ||
	       __atomic_load_n(&sh[2], __ATOMIC_RELAXED) == cur ||
	       __atomic_load_n(&sh[3], __ATOMIC_RELAXED) == cur;
}

/*
 * The plain access of @n bytes at @a is already in one of its word's
 * cells exactly (this slot and epoch, these bytes, this kind): there is
 * nothing to check and nothing to store.  Inlined into every entry point
 * of the pass, before the call to access_small: in a loop, nearly every
 * access after the first is this case.
 */
static inline __attribute__((always_inline)) bool access_recorded(const struct task *t, uintptr_t a, uint32_t n,
				   bool is_write)
{
	uintptr_t off = a & 7;
	uint64_t *sh;

	if (unlikely(off + n > 8) || unlikely(!(sh = shadow_of(a))))
		return false;
	return cells_hold(sh, t->cell_se | (is_write ? 0 : CELL_READ) |
			      (uint8_t)(((1u << n) - 1) << off));
}

/* An access of up to 16 bytes at any alignment, made at @pc. */
void access_small(struct task *t, uintptr_t a, uint32_t n, bool is_write,
		  bool is_atomic, uintptr_t pc);
/* Every byte of [a, a + n) (memcpy, memset, pthread objects). */
void access_range(struct task *t, uintptr_t a, size_t n, bool is_write,
		  uintptr_t pc);
/*
 * The heap block [a, a + n) is now written by @t and nothing else
 * (malloc; free, with @freed): no check, every word gets one write cell
 * of @t.  Only for a block's own granules: the bytes past its end in its
 * last word lose their cells.
 */
void access_mark_written(struct task *t, uintptr_t a, size_t n, uintptr_t pc,
			 bool freed);
/* Never check [a, a + n) again until it is reset (mnrace_ignore_range). */
void access_ignore(uintptr_t a, size_t n);

#endif
