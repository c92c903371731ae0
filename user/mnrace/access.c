// SPDX-License-Identifier: GPL-2.0-only
/*
 * The access path: one access against the cells of each 8-byte word it
 * touches.  For each cell of another slot whose bytes overlap, the access
 * races with it unless both are reads, both are atomic, or the current
 * task's clock has seen that slot's epoch (FastTrack's epoch test).  Then
 * A cell written by free() makes any access a use after free.  Then
 * the access is stored: over the cell of its own slot with the same bytes,
 * else in an empty cell, else over the oldest cell (the evicted access
 * is forgotten: docs/mnrace.md, limits).  An access the cells
 * already say (same slot, epoch, bytes, at least as strong) stores
 * nothing and writes no history.  Outside a sampled window (sample.h)
 * nothing is checked or stored, but the marks of malloc and free (and
 * mnrace_ignore_range) are always made: they say what the memory is now,
 * and a cell left from the block's last life would be a false report in
 * the next window.
 */
#include <emmintrin.h>

#include "access.h"
#include "cell.h"
#include "report.h"
#include "sample.h"
#include "shadow.h"
#include "trace.h"

/*
 * Whether no cell of @cells can race with this access, without a branch
 * per cell: a shared table's word holds the reads of four tasks in an
 * order of their making, and a read that missed the fast path went
 * through some eight data-dependent branches over them, half of them
 * mispredicted (access_heavy: a fifth of its time in the slow path).
 * Dearer than the loop when its branches are predictable: check_word
 * asks only about full words.
 * A cell can race when it is another slot's (or an earlier owner's of
 * this one), overlaps the access and is not both-read or both-atomic
 * with it; a freed or ignored word is left to the full check too.  On
 * true, @same has a bit for each of this slot's cells with the
 * access's very bytes, @none for each empty cell.
 */
static inline __attribute__((always_inline)) bool cells_cannot_race(
	const struct task *t, const uint64_t *cells, uint8_t mask, bool is_write,
	bool is_atomic, unsigned *same, unsigned *none)
{
	unsigned may = 0;

	*same = *none = 0;
	for (int i = 0; i < SHADOW_CELLS; i++) {
		uint64_t c = cells[i];
		unsigned full = c != 0;
		unsigned slot_is = cell_slot(c) == t->slot, since = cell_epoch(c) >= t->slot_base;
		unsigned own = slot_is & since;
		unsigned meets = (cell_mask(c) & mask) != 0;
		unsigned rd = cell_is_read(c), at = cell_is_atomic(c), fr = cell_is_freed(c);
		unsigned weak = (rd & !is_write) | (at & is_atomic);

		*none |= !full << i;
		*same |= (full & own & (cell_mask(c) == mask)) << i;
		may |= ((full & !own & meets & !weak) | fr) << i;
	}
	return !may;
}

/*
 * Store @cur, the access of @t at @pc, in cell @store of the word @sh,
 * or, with @store -1, in place of the oldest: the tail of check_word.
 */
static inline __attribute__((always_inline)) void put_cell(struct task *t, uint64_t *sh, int store,
			    uint64_t cur, uintptr_t pc, uintptr_t a, uint32_t n,
			    bool is_write, bool is_atomic, bool trace_it)
{
	if (store < 0) {
		/*
		 * No cell of ours and none empty: the oldest goes.  The
		 * cells shift down and this access takes the first, so a
		 * word holds its last four stores (first in, first out).
		 * Tasks reading a shared table keep their cells while four
		 * accesses fit, where a cell chosen from the pc had two
		 * tasks, or two halves of a word, evicting each other.  A
		 * cell another thread stores meanwhile may be lost, as an
		 * eviction loses one: every cell left is still an access
		 * that was made.
		 */
		_Static_assert(SHADOW_CELLS == 4, "the shift below moves three cells");
		for (int i = SHADOW_CELLS - 1; i > 0; i--)
			__atomic_store_n(&sh[i], __atomic_load_n(&sh[i - 1], __ATOMIC_RELAXED),
					 __ATOMIC_RELAXED);
		store = 0;
	}
	if (trace_it)
		trace_access(t, pc, a, n, is_write, is_atomic);
	__atomic_store_n(&sh[store], cur, __ATOMIC_RELAXED);
}

/* Returns true when it reported a race (the caller stops there). */
static inline __attribute__((always_inline)) bool check_word(struct task *t, uintptr_t word, uint8_t mask,
			      bool is_write, bool is_atomic, uintptr_t pc,
			      uintptr_t a, uint32_t n, bool trace_it, bool probe)
{
	uint64_t *sh = shadow_of(word);
	uint64_t cur, c, cells[SHADOW_CELLS];
	unsigned same, none;
	int store = -1;
	bool raced = false;

	if (unlikely(!sh))
		return false;
	cur = cell_make(t->slot, t->epoch, mask, !is_write, is_atomic);
	/* The common case first: this very access is already recorded
	 * (one branch, not one per cell: access.h).  Without @probe the
	 * caller has just made that test (the entry points' fast path);
	 * the cells below would say the same, only later. */
	if (probe && cells_hold(sh, cur))
		return false;
	for (int i = 0; i < SHADOW_CELLS; i++)
		cells[i] = __atomic_load_n(&sh[i], __ATOMIC_RELAXED);
	/* Only a full word: with fewer cells the loop's branches follow a
	 * pattern (a lock's word after each release: this slot's one cell,
	 * of an earlier epoch) and it is the cheaper of the two. */
	if (cells[SHADOW_CELLS - 1] &&
	    cells_cannot_race(t, cells, mask, is_write, is_atomic, &same, &none)) {
		/* What the loop below decides when no cell races, in its
		 * order: this slot's cell of these bytes, else the first
		 * empty one, else the oldest. */
		for (; same; same &= same - 1) {
			int i = __builtin_ctz(same);

			c = cells[i];
			/* It covers this access, or this one would lose a
			 * write of the same epoch: nothing to store. */
			if (cell_epoch(c) == t->epoch &&
			    (cell_covers(c, cur) || !cell_covers(cur, c)))
				return false;
			store = i;
		}
		if (store < 0 && none)
			store = __builtin_ctz(none);
		put_cell(t, sh, store, cur, pc, a, n, is_write, is_atomic, trace_it);
		return false;
	}
	for (int i = 0; i < SHADOW_CELLS; i++) {
		c = cells[i];
		if (!c) {
			if (store < 0)
				store = i;
			continue;
		}
		if (unlikely(c == CELL_IGNORE))
			return false;
		if (unlikely(cell_is_freed(c)) && (cell_mask(c) & mask)) {
			report_race(t, a, n, is_write, is_atomic, pc, word, c);
			raced = true;
			store = i;
			break;
		}
		if (task_owns(t, cell_slot(c), cell_epoch(c))) {
			if (cell_mask(c) == mask) {
				if (cell_epoch(c) == t->epoch && cell_covers(c, cur))
					return false;
				/* Its own earlier access: replace it, unless that
				 * write would be lost to a read of the same epoch. */
				if (cell_epoch(c) != t->epoch || cell_covers(cur, c))
					store = i;
				else
					return false;
			}
			continue;
		}
		if (!(cell_mask(c) & mask))
			continue;
		if (cell_is_read(c) && !is_write)
			continue;
		if (cell_is_atomic(c) && is_atomic)
			continue;
		if (task_knows(t, cell_slot(c), cell_epoch(c)))
			continue;
		/* Reported once; the access takes the cell's place, so doing it
		 * again in a loop finds itself recorded and costs nothing. */
		report_race(t, a, n, is_write, is_atomic, pc, word, c);
		raced = true;
		store = i;
		break;
	}
	put_cell(t, sh, store, cur, pc, a, n, is_write, is_atomic, trace_it);
	return raced;
}

/* The mask of the bytes of word @w inside [a, end). */
static inline uint8_t word_mask(uintptr_t w, uintptr_t a, uintptr_t end)
{
	uintptr_t lo = w > a ? w : a, hi = w + 8 < end ? w + 8 : end;

	return (uint8_t)(((1u << (hi - lo)) - 1) << (lo - w));
}

static inline __attribute__((always_inline)) void small_access(struct task *t, uintptr_t a,
				uint32_t n, bool is_write, bool is_atomic, uintptr_t pc, bool probe)
{
	uintptr_t end = a + n, off = a & 7;

	if (unlikely(mnr_in_rt) || !sample_now())
		return;
	if (likely(off + n <= 8)) {	/* within one word: nearly every access */
		check_word(t, a & ~7ULL, (uint8_t)(((1u << n) - 1) << off), is_write,
			   is_atomic, pc, a, n, true, probe);
		return;
	}
	for (uintptr_t w = a & ~7ULL; w < end; w += 8) {
		/* A word trace for each piece: replay matches by overlap. */
		if (check_word(t, w, word_mask(w, a, end), is_write, is_atomic, pc, a, n, true, true))
			return;
	}
}

void access_small(struct task *t, uintptr_t a, uint32_t n, bool is_write,
		  bool is_atomic, uintptr_t pc)
{
	small_access(t, a, n, is_write, is_atomic, pc, true);
}

void access_small_missed(struct task *t, uintptr_t a, uint32_t n, bool is_write, uintptr_t pc)
{
	small_access(t, a, n, is_write, false, pc, false);
}

void access_range(struct task *t, uintptr_t a, size_t n, bool is_write,
		  uintptr_t pc)
{
	uintptr_t end = a + n, w0 = a & ~7ULL, wl = (end - 1) & ~7ULL, w = w0;
	uint64_t *sh, *shl, full;

	if (unlikely(mnr_in_rt) || !n || !sample_now())
		return;
	trace_range(t, pc, a, n, is_write);
	/* A partial first word; the last one too, if it is the same. */
	if ((a & 7) || end < w0 + 8) {
		if (check_word(t, w0, word_mask(w0, a, end), is_write, false, pc, a, n, false, true) ||
		    wl == w0)
			return;
		w += 8;
	}
	/*
	 * The whole words.  In one window their cells are one after another:
	 * a word this very access already holds (a block freed by the task
	 * that filled it, a buffer copied twice) costs four loads.
	 */
	sh = shadow_of(w);
	shl = shadow_of(wl);
	if (!sh || shl != sh + (wl - w) / 8 * SHADOW_CELLS)
		sh = NULL;
	full = cell_make(t->slot, t->epoch, 0xff, !is_write, false);
	for (; w + 8 <= end; w += 8, sh = sh ? sh + SHADOW_CELLS : NULL) {
		if (sh && cells_hold(sh, full))
			continue;
		if (check_word(t, w, 0xff, is_write, false, pc, a, n, false, true))
			return;
	}
	if (w < end)
		check_word(t, w, word_mask(w, a, end), is_write, false, pc, a, n, false, true);
}

/*
 * Every word of [sh, shend] (cells) gets the one cell @full, the rest
 * empty.  Cells 2 and 3 are stored only where they are not empty
 * already: cells fill in order (check_word) and most words of a heap
 * block never held a third, so the mark, a third of a malloc-heavy
 * program's time and bound by its stores, makes half of them.  They
 * are read from the line that the store of cells 0 and 1 fetches anyway
 * (a word's cells are 32-byte aligned); four words a round.
 */
static void mark_words(uint64_t *sh, uint64_t *shend, uint64_t full)
{
	const __m128i first = _mm_set_epi64x(0, (long long)full), zero = _mm_setzero_si128();
	uint64_t *c = sh;

	_Static_assert(SHADOW_CELLS == 4, "two 16-byte halves per word below");
	for (; c + 3 * SHADOW_CELLS <= shend; c += 4 * SHADOW_CELLS) {
		__m128i back = _mm_or_si128(
			_mm_or_si128(_mm_load_si128((const __m128i *)(c + 2)),
				     _mm_load_si128((const __m128i *)(c + 6))),
			_mm_or_si128(_mm_load_si128((const __m128i *)(c + 10)),
				     _mm_load_si128((const __m128i *)(c + 14))));

		_mm_store_si128((__m128i *)c, first);
		_mm_store_si128((__m128i *)(c + 4), first);
		_mm_store_si128((__m128i *)(c + 8), first);
		_mm_store_si128((__m128i *)(c + 12), first);
		if (unlikely(_mm_movemask_epi8(_mm_cmpeq_epi8(back, zero)) != 0xffff)) {
			_mm_store_si128((__m128i *)(c + 2), zero);
			_mm_store_si128((__m128i *)(c + 6), zero);
			_mm_store_si128((__m128i *)(c + 10), zero);
			_mm_store_si128((__m128i *)(c + 14), zero);
		}
	}
	for (; c <= shend; c += SHADOW_CELLS) {
		_mm_store_si128((__m128i *)c, first);
		if (c[2] | c[3])
			_mm_store_si128((__m128i *)(c + 2), zero);
	}
}

void access_mark_written(struct task *t, uintptr_t a, size_t n, uintptr_t pc,
			 bool freed)
{
	uint64_t flags = freed ? CELL_FREED : 0, full, *sh, *shend;
	uintptr_t end = a + n, w0 = a & ~7ULL, wl = (end - 1) & ~7ULL;
	uint8_t m0, ml;

	if (!n || !(sh = shadow_of(w0)) || !(shend = shadow_of(wl)) || shend < sh)
		return;
	trace_range(t, pc, a, n, true);
	/*
	 * The edges too: a heap block's words are its own (16-byte
	 * granules), the bytes beyond its end are nobody's.  One word's
	 * cells are consecutive, and so are a range's words: one pass.
	 */
	full = cell_make(t->slot, t->epoch, 0xff, false, false) | flags;
	m0 = (uint8_t)(0xff << (a - w0));
	ml = (uint8_t)(0xff >> (8 - (end - wl)));
	mark_words(sh, shend, full);
	sh[0] = (full & ~0xffULL) | (sh == shend ? (m0 & ml) : m0);
	if (shend != sh)
		shend[0] = (full & ~0xffULL) | ml;
}

void access_free(struct task *t, uintptr_t a, size_t n, uintptr_t pc, bool check)
{
	uintptr_t end = a + n, wl = (end - 1) & ~7ULL, w = a;
	uint64_t full, *sh, *shend, *c;
	__m128i own, freed, zero = _mm_setzero_si128();

	/* A block is 16-byte aligned; anything else takes the two passes. */
	if (!n || (a & 7) || !(sh = shadow_of(a)) || !(shend = shadow_of(wl)) || shend < sh) {
		if (check)
			access_range(t, a, n, true, pc);
		access_mark_written(t, a, n, pc, true);
		return;
	}
	check = check && likely(!mnr_in_rt) && sample_now();
	/* What the two passes would write in the history: the check's
	 * range, then the mark's (both this pc, this stack, this epoch). */
	if (check)
		trace_range(t, pc, a, n, true);
	trace_range(t, pc, a, n, true);
	full = cell_make(t->slot, t->epoch, 0xff, false, false);
	own = _mm_set_epi64x(0, (long long)full);
	freed = _mm_set_epi64x(0, (long long)(full | CELL_FREED));
	_Static_assert(SHADOW_CELLS == 4, "two 16-byte halves per word below");
	for (c = sh; c <= shend; c += SHADOW_CELLS, w += 8) {
		__m128i front = _mm_load_si128((const __m128i *)c);
		__m128i back = _mm_load_si128((const __m128i *)(c + 2));
		bool clean = _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(front, own),
							    _mm_cmpeq_epi8(back, zero))) == 0xffff;

		/*
		 * A whole word that holds this task's write of it and
		 * nothing else (the mark of its malloc, at this epoch) has
		 * nothing to check and an empty back half to leave alone.
		 * Else access_range's check, word by word, which stops at
		 * the first race.
		 */
		if (unlikely(!clean || w + 8 > end)) {
			if (check && check_word(t, w, word_mask(w, a, end), true, false,
						pc, a, n, false, true))
				check = false;
			_mm_store_si128((__m128i *)(c + 2), zero);
		}
		_mm_store_si128((__m128i *)c, freed);
	}
	if (end - wl < 8)
		shend[0] = ((full | CELL_FREED) & ~0xffULL) | (uint8_t)(0xff >> (8 - (end - wl)));
}

void access_ignore(uintptr_t a, size_t n)
{
	uintptr_t end = a + n;

	for (uintptr_t w = a & ~7ULL; w < end; w += 8) {
		uint64_t *sh = shadow_of(w);

		if (sh)
			__atomic_store_n(&sh[0], CELL_IGNORE, __ATOMIC_RELAXED);
	}
}
