/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The snapshot of snapshot.h from a BPF task iterator (bpf/taskns_iter.bpf.c)
 * instead of a /proc scan, and the choice between the two.
 */
#ifndef NSTAINT_SNAPSHOT_ITER_H
#define NSTAINT_SNAPSHOT_ITER_H

#include "source/snapshot.h"

/* Where a snapshot comes from; snap_from_names[] spells them for options. */
enum snap_from {
	SNAP_FROM_AUTO,		/* the iterator, else /proc */
	SNAP_FROM_BPF,
	SNAP_FROM_PROC,
	SNAP_FROM_COUNT,
};

extern const char *const snap_from_names[SNAP_FROM_COUNT];

/* "auto", "bpf" or "proc" to @out; false for anything else. */
bool snap_from_parse(const char *s, enum snap_from *out);

/*
 * Like snapshot_take(), every process seen from the iterator (root, BPF,
 * BTF).  @only > 0 keeps that process alone (-ESRCH if it has no thread).
 * Returns 0 or a negative errno; the iterator's failure to load is
 * -ENOTSUP, -EPERM, ... as libbpf says.
 */
int snapshot_take_iter(struct snapshot *s, pid_t only);

/*
 * A snapshot @from where asked: SNAP_FROM_AUTO tries the iterator, then
 * /proc under @procfs (the iterator only when @procfs is "/proc").
 * @flags as snapshot_take_flags() (the iterator has every comm anyway).
 * *@used says which one answered, *@bpf_err (if not NULL) why the
 * iterator did not (0 if it did or was not tried).  Returns as
 * snapshot_take(); a failed SNAP_FROM_BPF returns the iterator's error.
 */
int snapshot_take_from(struct snapshot *s, enum snap_from from,
		       const char *procfs, pid_t only, unsigned int flags,
		       enum snap_from *used, int *bpf_err);

/*
 * The snapshot that seeds the live tracker and the BPF backend's maps:
 * SNAP_FROM_AUTO of /proc, comm of tainted threads only.
 */
int snapshot_take_seed(struct snapshot *s);

#endif
