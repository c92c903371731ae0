/* SPDX-License-Identifier: GPL-2.0-only */
/* Where an address lives, for the "Location is" line of a report. */
#ifndef MNRACE_LOCATION_H
#define MNRACE_LOCATION_H

#include <stddef.h>
#include <stdint.h>

enum loc_kind { LOC_UNKNOWN, LOC_HEAP, LOC_GLOBAL, LOC_STACK, LOC_TLS };

struct location {
	enum loc_kind kind;
	uintptr_t start;	/* heap block, global */
	size_t size;
	uint32_t task;		/* allocating task; owner of the stack or TLS */
	uint32_t stack;		/* allocation stack (depot id) */
	const char *name;	/* global's symbol */
	const char *module;
	uintptr_t modoff;
};

void location_of(uintptr_t a, struct location *l);

#endif
