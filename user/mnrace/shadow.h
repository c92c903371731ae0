/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The shadow: SHADOW_CELLS 64-bit cells (cell.h) for every 8-byte word of
 * application memory, and one 32-bit meta word (a heap block's index,
 * malloc.c) for every 16-byte granule, both direct-mapped.
 *
 * x86-64 Linux puts application memory in three ranges (with ASLR and a
 * finite stack rlimit): non-PIE images and their brk heap low, PIE images
 * and their brk heap around 0x55..-0x56.., and mmap (shared libraries,
 * thread stacks, glibc's thread arenas, the main stack) just below
 * 0x7fff... .  Each range has its own shadow and meta window in the hole
 * between 0x0100'0000'0000 and 0x5500'0000'0000 that the kernel never
 * hands out on its own; addresses outside the ranges have no shadow and
 * are not checked (docs/mnrace.md, limits).
 */
#ifndef MNRACE_SHADOW_H
#define MNRACE_SHADOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rt.h"

#define SHADOW_CELLS	4
/* Shadow bytes per application byte: 4 cells of 8 bytes per 8 bytes. */
#define SHADOW_SCALE	(SHADOW_CELLS * 8 / 8)
#define META_GRANULE	16

#define APP_LO_BEG	0x000000001000ULL
#define APP_LO_END	0x010000000000ULL
#define APP_MID_BEG	0x550000000000ULL
#define APP_MID_END	0x570000000000ULL
#define APP_HI_BEG	0x7e0000000000ULL
#define APP_HI_END	0x800000000000ULL

#define SHADOW_LO	0x100000000000ULL
#define SHADOW_MID	(SHADOW_LO + (APP_LO_END - 0) * SHADOW_SCALE)
#define SHADOW_HI	(SHADOW_MID + (APP_MID_END - APP_MID_BEG) * SHADOW_SCALE)
#define SHADOW_END	(SHADOW_HI + (APP_HI_END - APP_HI_BEG) * SHADOW_SCALE)

#define META_LO		0x300000000000ULL
#define META_MID	(META_LO + (APP_LO_END - 0) / (META_GRANULE / 4))
#define META_HI		(META_MID + (APP_MID_END - APP_MID_BEG) / (META_GRANULE / 4))
#define META_END	(META_HI + (APP_HI_END - APP_HI_BEG) / (META_GRANULE / 4))

/* Offset of @a in the shadow layout: which window, how far in; -1: none. */
static inline bool app_window(uintptr_t a, uintptr_t *off, int *win)
{
	if (a >= APP_HI_BEG && a < APP_HI_END) {
		*off = a - APP_HI_BEG;
		*win = 2;
	} else if (a >= APP_MID_BEG && a < APP_MID_END) {
		*off = a - APP_MID_BEG;
		*win = 1;
	} else if (a >= APP_LO_BEG && a < APP_LO_END) {
		*off = a;
		*win = 0;
	} else {
		return false;
	}
	return true;
}

/*
 * The cells of the 8-byte word holding @a, or NULL: not application
 * memory.  Constants only, no table: the shadow load of every access
 * waits for this address.
 */
static inline uint64_t *shadow_of(uintptr_t a)
{
	uintptr_t w = a & ~7ULL;

	if (likely(a >= APP_HI_BEG && a < APP_HI_END))
		return (uint64_t *)(SHADOW_HI + (w - APP_HI_BEG) * SHADOW_SCALE);
	if (a >= APP_MID_BEG && a < APP_MID_END)
		return (uint64_t *)(SHADOW_MID + (w - APP_MID_BEG) * SHADOW_SCALE);
	if (a >= APP_LO_BEG && a < APP_LO_END)
		return (uint64_t *)(SHADOW_LO + w * SHADOW_SCALE);
	return NULL;
}

/* The meta word of the 16-byte granule holding @a, or NULL. */
static inline uint32_t *meta_of(uintptr_t a)
{
	static const uintptr_t base[3] = { META_LO, META_MID, META_HI };
	uintptr_t off;
	int w;

	if (unlikely(!app_window(a, &off, &w)))
		return NULL;
	return (uint32_t *)(base[w] + off / META_GRANULE * 4);
}

/* Lowest address of the window holding @a (bounds backward meta walks). */
uintptr_t app_window_start(uintptr_t a);

/* Reserve the shadow and meta windows; fatal if something is in the way. */
void shadow_reserve(void);

/* Forget every access to [a, a + n): the memory is new (malloc, mmap). */
void shadow_reset(uintptr_t a, size_t n);
/* The same for a range whose shadow is mostly untouched (a task stack
 * handed on: a task uses its top few KiB): only the shadow pages the
 * kernel has backed are zeroed, found with mincore(2); nothing is given
 * back or faulted in. */
void shadow_reset_resident(uintptr_t a, size_t n);

#endif
