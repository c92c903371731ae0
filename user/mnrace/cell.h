/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One shadow cell: one earlier access to some bytes of an 8-byte word.
 *
 *   bits  0-7   byte mask (which of the word's 8 bytes; never 0 in a cell)
 *   bit   8     read (0: write)
 *   bit   9     atomic
 *   bit  10     freed: the write of a free(); any later access is a use
 *                after free, whatever the order
 *   bits 16-31  slot of the task that made it (vclock.h)
 *   bits 32-63  that slot's epoch when it made it
 *
 * 0 is an empty cell.  CELL_IGNORE in a word's first cell means "never
 * check this word" (mnrace_ignore_range); slot 0xffff is never handed out.
 */
#ifndef MNRACE_CELL_H
#define MNRACE_CELL_H

#include <stdbool.h>
#include <stdint.h>

#define CELL_READ	0x100ULL
#define CELL_ATOMIC	0x200ULL
#define CELL_FREED	0x400ULL
#define CELL_IGNORE	(~0ULL)

static inline uint64_t cell_make(uint32_t slot, uint32_t epoch, uint8_t mask,
				 bool is_read, bool is_atomic)
{
	return (uint64_t)epoch << 32 | (uint64_t)slot << 16 |
	       (is_read ? CELL_READ : 0) | (is_atomic ? CELL_ATOMIC : 0) | mask;
}

static inline uint8_t cell_mask(uint64_t c)	{ return c & 0xff; }
static inline bool cell_is_read(uint64_t c)	{ return c & CELL_READ; }
static inline bool cell_is_atomic(uint64_t c)	{ return c & CELL_ATOMIC; }
static inline bool cell_is_freed(uint64_t c)	{ return c & CELL_FREED; }
static inline uint32_t cell_slot(uint64_t c)	{ return (c >> 16) & 0xffff; }
static inline uint32_t cell_epoch(uint64_t c)	{ return c >> 32; }

/*
 * @old already says all that @new would about the same bytes: a write
 * covers a read, a plain access covers an atomic one (a plain access
 * races with more).
 */
static inline bool cell_covers(uint64_t old, uint64_t new)
{
	return (!cell_is_read(old) || cell_is_read(new)) &&
	       (!cell_is_atomic(old) || cell_is_atomic(new));
}

/* The first byte and the number of bytes a mask names. */
static inline unsigned mask_offset(uint8_t m)	{ return __builtin_ctz(m); }
static inline unsigned mask_size(uint8_t m)	{ return __builtin_popcount(m); }

#endif
