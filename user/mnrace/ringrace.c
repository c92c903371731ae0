// SPDX-License-Identifier: GPL-2.0-only
/*
 * Data race reports on the report ring: the same race the text report
 * prints, as one MN_RING_DATA_RACE record handed to libmn's
 * mn_ring_report (include/nstaint/mnrace_abi.h), which fills the pid and
 * the time.  Stacks are cut to the ring's MN_RING_STACK innermost pcs of
 * those the text prints.  The record is about the current task
 * (task_id, tid: the thread making the access).
 */
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../../include/nstaint/mn_ring.h"
#include "../../include/nstaint/mnrace_abi.h"
#include "ringrace.h"
#include "task.h"

static unsigned copy_stack(__u64 *dst, const uintptr_t *pcs, int n)
{
	unsigned k = n < MN_RING_STACK ? (unsigned)(n > 0 ? n : 0) : MN_RING_STACK;

	for (unsigned i = 0; i < k; i++)
		dst[i] = pcs[i];
	return k;
}

static void fill_access(struct mn_ring_access *r, const struct ring_access *a)
{
	r->addr = a->addr;
	r->task_id = a->task;
	r->size = a->size;
	r->tid = a->tid > 0 ? (__u32)a->tid : 0;
	r->flags = (a->is_write ? MN_RING_ACC_WRITE : 0) |
		   (a->is_atomic ? MN_RING_ACC_ATOMIC : 0) |
		   (a->pcs ? 0 : MN_RING_ACC_NO_STACK);
	r->depth = a->pcs ? copy_stack(r->stack, a->pcs, a->depth) : 0;
}

static __u32 ring_loc_kind(enum loc_kind k)
{
	switch (k) {
	case LOC_HEAP:
		return MN_RING_LOC_HEAP;
	case LOC_GLOBAL:
		return MN_RING_LOC_GLOBAL;
	case LOC_STACK:
		return MN_RING_LOC_STACK;
	case LOC_TLS:
		return MN_RING_LOC_TLS;
	default:
		return MN_RING_LOC_UNKNOWN;
	}
}

void ring_race(const struct ring_access *cur, const struct ring_access *prev,
	       const struct location *loc, const uintptr_t *loc_pcs, int loc_depth)
{
	struct mn_ring_rec rec;
	struct mn_ring_race *r = &rec.race;
	struct task_info ti;

	if (!mn_ring_report)
		return;
	memset(&rec, 0, sizeof(rec));
	rec.kind = MN_RING_DATA_RACE;
	rec.tid = syscall(SYS_gettid);
	rec.task_id = cur->task;
	fill_access(&r->cur, cur);
	fill_access(&r->prev, prev);
	r->loc_kind = ring_loc_kind(loc->kind);
	r->loc_addr = loc->start;
	r->loc_size = loc->size;
	r->loc_task = loc->task;
	if (loc->task && task_info_get(loc->task, &ti))
		r->loc_tid = ti.tid;
	if (loc->kind == LOC_HEAP)
		r->loc_depth = copy_stack(r->loc_stack, loc_pcs, loc_depth);
	mn_ring_report(&rec);
}
