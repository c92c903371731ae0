/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Heap blocks the interposed malloc family handed out: size, allocating
 * task and stack, found from an address through the meta shadow
 * (shadow.h): the block's first granule holds its index.
 */
#ifndef MNRACE_HEAP_H
#define MNRACE_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct heap_block {
	uintptr_t start;
	size_t size;
	uint32_t stack;		/* depot id */
	uint32_t task;
};

/* The live block holding @a. */
bool heap_block_of(uintptr_t a, struct heap_block *out);
void heap_init(void);

#endif
