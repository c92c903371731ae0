/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A data race report, also as a record on libmn's report ring
 * (include/nstaint/mn_ring.h), for nstaint to show beside namespace
 * taint (ringrace.c).
 */
#ifndef MNRACE_RINGRACE_H
#define MNRACE_RINGRACE_H

#include <stdbool.h>
#include <stdint.h>

#include "location.h"

/* One of the two accesses, as the text report prints it. */
struct ring_access {
	uintptr_t addr;
	uint32_t size;
	uint32_t task;		/* 0: unknown (its history was lost) */
	int32_t tid;		/* 0: unknown */
	bool is_write, is_atomic;
	int depth;		/* 0 with @pcs NULL: no stack */
	const uintptr_t *pcs;	/* the printed frames' pcs, innermost first */
};

/*
 * Put the race between @cur (the current task's access) and @prev on
 * the ring, with where it lies (@loc; @loc_pcs the allocation stack of a
 * heap block).  Nothing when the program has no libmn (mn_ring_report is
 * weak) or the ring is off; never waits (a full ring counts a loss).
 */
void ring_race(const struct ring_access *cur, const struct ring_access *prev,
	       const struct location *loc, const uintptr_t *loc_pcs, int loc_depth);

#endif
