// SPDX-License-Identifier: GPL-2.0-only
#include <stddef.h>

#include "model/report.h"

const __u64 *report_pcs(const struct report *rep, enum report_stack which,
			unsigned int *n)
{
	const struct mn_ring_rec *r = &rep->rec;

	*n = 0;
	switch (r->kind) {
	case MN_RING_DATA_RACE:
		if (which == REPORT_STACK_MAIN)
			return *n = r->race.cur.depth, r->race.cur.stack;
		if (which == REPORT_STACK_PREV)
			return *n = r->race.prev.depth, r->race.prev.stack;
		return *n = r->race.loc_depth, r->race.loc_stack;
	case MN_RING_RUNTIME_ERROR:
		if (which == REPORT_STACK_MAIN)
			return *n = r->error.depth, r->error.stack;
		return NULL;
	case MN_RING_TASK_LEAK:
	case MN_RING_CTX_LEAK:
		if (which == REPORT_STACK_MAIN)
			return *n = r->leak.depth, r->leak.stack;
		return NULL;
	default:
		return NULL;
	}
}
