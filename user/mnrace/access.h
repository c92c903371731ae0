/* SPDX-License-Identifier: GPL-2.0-only */
/* Checking an access against the shadow and recording it (access.c). */
#ifndef MNRACE_ACCESS_H
#define MNRACE_ACCESS_H

#include <emmintrin.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cell.h"
#include "shadow.h"
#include "task.h"

/*
 * One of a word's cells is exactly @cur.  All four compared, one branch
 * on the result: which cell holds an access depends on the order the
 * word was first touched in, so a branch per cell is mispredicted on
 * data read in a random order (a table lookup: half the time, 3x TSan's
 * cost in access_heavy).
 */
static inline bool cells_hold(const uint64_t *sh, uint64_t cur)
{
	/* SSE2 (every x86-64) has no 64-bit compare: a cell equals @cur
	 * when both its 32-bit halves do.  A word's cells are 32-byte
	 * aligned; an aligned 16-byte load reads each 8-byte cell whole. */
	const __m128i c = _mm_set1_epi64x((long long)cur);
	__m128i lo = _mm_cmpeq_epi32(_mm_load_si128((const __m128i *)sh), c);
	__m128i hi = _mm_cmpeq_epi32(_mm_load_si128((const __m128i *)(sh + 2)), c);

	_Static_assert(SHADOW_CELLS == 4, "two 16-byte loads below");
	lo = _mm_and_si128(lo, _mm_shuffle_epi32(lo, _MM_SHUFFLE(2, 3, 0, 1)));
	hi = _mm_and_si128(hi, _mm_shuffle_epi32(hi, _MM_SHUFFLE(2, 3, 0, 1)));
	return _mm_movemask_epi8(_mm_or_si128(lo, hi)) != 0;
}

/* How far on a read's shadow prefetch reaches (access_recorded). */
#define SHADOW_READ_PREFETCH	256

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
	uint64_t *sh, cur;

	if (unlikely(off + n > 8) || unlikely(!(sh = shadow_of(a))))
		return false;
	/*
	 * A read fetches the shadow a few lines on too (read-only: no line
	 * taken from another CPU).  Reads of a small shared table, whose
	 * shadow lines the other CPU's stores of its own reads keep
	 * taking, then find more of them back: access_heavy on 2 CPUs 5.0
	 * -> 4.5 ns/op; from +-64 to +-512 bytes alike, +4096 or none at
	 * all 5.1, and nothing on one CPU.  Ahead of writes (a private
	 * sweep) it measured nothing: the hardware's prefetchers follow it.
	 */
	if (!is_write)
		__builtin_prefetch((const char *)sh + SHADOW_READ_PREFETCH, 0);
	cur = t->cell_se | (is_write ? 0 : CELL_READ) | (uint8_t)(((1u << n) - 1) << off);
	/*
	 * A write finds itself in cell 0 nearly always: a word of the
	 * task's own data holds one cell, its malloc's mark or its first
	 * write, and that is cell 0.  One compare returns before the four
	 * cells' compare and its dozen vector instructions; a sweep of
	 * private data is bound by the instructions it issues, not by
	 * their latency.  On 2026-12-02 (AMD EPYC Zen 4, 2 vCPUs, KVM),
	 * 12 alternating runs of private_array: 0.77 of the time before
	 * (medians of per-pair ratios, wall and CPU), 0.90 of TSan's
	 * against 1.10.  Reads keep the one test of all four: a shared
	 * table's word holds its readers in any order (cells_hold), and
	 * access_heavy did not move for the writes' test (1.00-1.02).
	 */
	if (is_write && likely(__atomic_load_n(&sh[0], __ATOMIC_RELAXED) == cur))
		return true;
	return cells_hold(sh, cur);
}

/* An access of up to 16 bytes at any alignment, made at @pc. */
void access_small(struct task *t, uintptr_t a, uint32_t n, bool is_write,
		  bool is_atomic, uintptr_t pc);
/* The same for a plain access that access_recorded just found not
 * recorded (the entry points' slow path): that test is not repeated. */
void access_small_missed(struct task *t, uintptr_t a, uint32_t n, bool is_write, uintptr_t pc);
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
/*
 * free() of the block [a, a + n): with @check, access_range's checked
 * write of it, then access_mark_written's freed mark, in one pass over
 * its shadow.
 */
void access_free(struct task *t, uintptr_t a, size_t n, uintptr_t pc, bool check);
/* Never check [a, a + n) again until it is reset (mnrace_ignore_range). */
void access_ignore(uintptr_t a, size_t n);

#endif
