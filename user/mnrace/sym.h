/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This process's own addresses to function, file:line and data symbols,
 * with elfutils libdwfl.  A thin copy of what user/nstaint/symbolize.c
 * does for other processes (that one caches per pid and reads Go's
 * .gopclntab); kept apart on purpose: the runtime links into every
 * checked program and needs none of that (docs/mnrace.md).
 */
#ifndef MNRACE_SYM_H
#define MNRACE_SYM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sym_code {
	const char *func;	/* NULL: unknown */
	const char *file;	/* NULL: no line information */
	int line;
	const char *module;	/* file name of the mapped object */
	uintptr_t modoff;	/* pc - the module's load bias */
};

/*
 * The frames of @pc, innermost first, at most @max, at least 1: more
 * than one when the code at @pc was inlined (each inlined function, then
 * the one it was inlined into, at the inlined call's line).  @pc is a
 * return address (every frame): file:line is that of the call.
 */
int sym_code(uintptr_t pc, struct sym_code *out, int max);

/* The data symbol holding @addr: true, with its name, start and size. */
bool sym_data(uintptr_t addr, const char **name, uintptr_t *start, size_t *size,
	      const char **module, uintptr_t *modoff);

#endif
