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

/* A fresh block @p of @n bytes from glibc, allocated at @pc by the
 * interceptor @fn (malloc, operator new: the first frame of its
 * allocation stack and of its mark, scope.h): remember it, reset and
 * mark its shadow; returns @p (NULL stays NULL). */
void *heap_on_alloc(void *p, size_t n, uintptr_t pc, const void *fn);
/* @p is being freed at @pc by the interceptor @fn (free, realloc,
 * operator delete: the frame its accesses are in, scope.h): check and
 * mark it, forget it; its size when mnrace knew it, else -1.  The caller
 * then hands it to glibc. */
int64_t heap_on_free(void *p, uintptr_t pc, const void *fn);

/* The live block holding @a. */
bool heap_block_of(uintptr_t a, struct heap_block *out);
void heap_init(void);

#endif
