/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The writing side of the report ring (include/nstaint/mn_ring.h): made
 * by libmn (or mnrace without libmn) once per process, written by any of
 * its threads, from any context.
 */
#ifndef NSTAINT_COMMON_MNRING_H
#define NSTAINT_COMMON_MNRING_H

#include <stddef.h>
#include <nstaint/mn_ring.h>

struct mn_ring {
	struct mn_ring_hdr *hdr;
	struct mn_ring_rec *rec;	/* hdr->nrec slots */
	size_t size;			/* of the mapping */
	int fd;				/* the memfd, kept open for readers */
};

/* A ring of @nrec records (a power of two in [MN_RING_NREC_MIN,
 * MN_RING_NREC_MAX]): 0, or -errno with nothing left behind. */
int mn_ring_create(struct mn_ring *r, unsigned int nrec);

/*
 * Publish @rec (every field but seq; time_ns 0 is filled in).  Never
 * waits and makes no system call: async-signal-safe.  0, or -ENOSPC when
 * the ring is full (the record is dropped and counted in hdr->lost).
 */
int mn_ring_put(struct mn_ring *r, const struct mn_ring_rec *rec);

void mn_ring_destroy(struct mn_ring *r);

#endif
