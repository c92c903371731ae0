/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading a process's report ring (include/nstaint/mn_ring.h), which the
 * process writes and so may forge, scribble on or swap at any time: a
 * bad ring costs that process its reports (counted), and nothing else.
 */
#ifndef NSTAINT_MNRING_READER_H
#define NSTAINT_MNRING_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <nstaint/mn_ring.h>

struct mnring_stats {
	unsigned long long delivered;	/* records handed on */
	unsigned long long invalid;	/* records that failed mnring_check */
	unsigned long long lost;	/* dropped by the writers (ring full) */
};

struct mnring_reader {
	struct mn_ring_hdr *hdr;
	struct mn_ring_rec *rec;
	size_t size;
	unsigned int nrec;
	unsigned long long next;	/* the index to read: ours, not hdr->tail */
	unsigned long long lost_seen;	/* hdr->lost as last read */
	pid_t pid;			/* whose ring */
	bool claimed;			/* hdr->reader is ours */
	bool mapped;			/* ours to munmap */
	const char *broken;		/* why it was given up, or NULL */
	struct mnring_stats st;
};

/*
 * Open and map ring fd @fd of process @pid (through /proc/PID/fd/FD, as
 * a regular sealed memfd only: no device is ever opened) and claim it.
 * 0, or -errno with @why (of @whylen bytes) saying why: -EBUSY another
 * live reader has it, -EPROTO the file is no ring of ours.
 */
int mnring_open(struct mnring_reader *r, pid_t pid, int fd, char *why,
		size_t whylen);

/*
 * The same on the @size bytes at @base already mapped (the fuzz target's
 * way in); @claim: take hdr->reader.  Checks the header and finds where
 * the last reader stopped.
 */
int mnring_attach(struct mnring_reader *r, void *base, size_t size,
		  pid_t pid, bool claim, char *why, size_t whylen);

typedef void (*mnring_fn)(void *ctx, const struct mn_ring_rec *rec);

/*
 * Hand at most @max published records to @fn, in order, each a private
 * copy that passed mnring_check, and account the writers' drops in
 * @r->st.lost.  Returns how many records were taken off the ring (valid
 * or not), or -EPROTO once the ring is broken (@r->broken says why;
 * nothing more is read from it): the call that finds it broken still
 * returns what it took before, and the next one says it.
 */
int mnring_poll(struct mnring_reader *r, mnring_fn fn, void *ctx,
		unsigned int max);

/*
 * The same, stopping at the first record whose time_ns is @before_ns or
 * later (CLOCK_MONOTONIC), so that the caller can first take every
 * kernel record made before then (the pipeline orders both).  A record
 * whose time is later than the clock now is a lie: taken, invalid.
 */
int mnring_poll_before(struct mnring_reader *r, mnring_fn fn, void *ctx,
		       unsigned int max, __u64 before_ns);

/*
 * Check a copied record of process @pid and make it safe to read: kind,
 * counts and flags in range, strings terminated.  0 or -EINVAL.
 */
int mnring_check(struct mn_ring_rec *rec, pid_t pid);

/* Give the ring back (hdr->reader) and unmap it. */
void mnring_close(struct mnring_reader *r);

#endif
