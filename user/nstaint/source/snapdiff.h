/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What changed between two /proc snapshots (snapshot.h), as records of
 * cause `snapshot`: the /proc polling source's only way of seeing
 * changes.  A thread that became tainted gives thread_tainted, one that
 * is equal to its home set again thread_restored, a tainted one that is
 * gone thread_exit, a tainted one that moved again (or any thread of a
 * process whose home set moved) ns_change.  What happened between the two
 * scans (a taint undone in between, a thread born and gone) is not seen.
 */
#ifndef NSTAINT_SNAPDIFF_H
#define NSTAINT_SNAPDIFF_H

#include <nstaint/events.h>

#include "source/snapshot.h"

/*
 * Call @out(@ctx, record) for each change from @old to @now (both from
 * snapshot_take*, so sorted), stamped @ts_ns.  Stops at and returns the
 * first non-zero return of @out; else the number of records.
 */
int snapdiff(const struct snapshot *old, const struct snapshot *now,
	     __u64 ts_ns, int (*out)(void *ctx, const struct nstaint_event *ev),
	     void *ctx);

#endif
