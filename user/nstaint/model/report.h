/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A report from a process's report ring (include/nstaint/mn_ring.h: a
 * data race, a runtime error, a leak, a retired thread), decoded for the
 * sinks as struct record is for kernel records: the checked copy of the
 * ring record, what the decoder added (the process's comm, its stacks
 * symbolized, whether the task had run on a tainted thread).
 */
#ifndef NSTAINT_REPORT_H
#define NSTAINT_REPORT_H

#include <stdbool.h>
#include <nstaint/events.h>
#include <nstaint/mn_ring.h>

#include "sym/ustack.h"

_Static_assert(MN_RING_STACK <= NSTAINT_MAX_STACK,
	       "a ring stack fits struct ustack");

/* Which of struct report's stacks holds what. */
enum report_stack {
	REPORT_STACK_MAIN = 0,	/* error, leak: where; race: the access */
	REPORT_STACK_PREV,	/* race: the earlier access */
	REPORT_STACK_LOC,	/* race: where the heap block was allocated */
	REPORT_STACKS,
};

struct report {
	struct mn_ring_rec rec;		/* passed mnring_check */
	char comm[NSTAINT_COMM_LEN + 1];	/* the process's, at open */
	bool on_tainted_thread;		/* a task it names ran on one */
	struct ustack stack[REPORT_STACKS];
};

/* The PCs and their count behind @rep's stack @which (0 when the kind
 * has none there). */
const __u64 *report_pcs(const struct report *rep, enum report_stack which,
			unsigned int *n);

#endif
