/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The report rings the decoder reads (include/nstaint/mn_ring.h), one per
 * process, as the source names them (struct source_out's ring): opened
 * with source/mnring_reader.c, which trusts nothing in them, polled by the
 * decoder between its records (never by the drain thread), closed when
 * the process execs or exits (a pidfd says when; a final poll first, the
 * mapping outlives the process).  At most RINGS_MAX at once; a ring
 * beyond, or one that cannot be opened, is counted as refused.
 */
#ifndef NSTAINT_RINGS_H
#define NSTAINT_RINGS_H

#include <stdbool.h>
#include <sys/types.h>
#include <nstaint/events.h>

#include "model/evtable.h"
#include "source/mnring_reader.h"

#define RINGS_MAX	256
/* And at most this much of them mapped (a ring is 164 KiB by default). */
#define RINGS_BYTES_MAX	(512UL << 20)
/* Records read from one ring per poll at most: one flood does not starve
 * the rest, nor the kernel's records. */
#define RINGS_BATCH	256

struct ring_slot {
	struct mnring_reader r;
	pid_t pid;
	int pidfd;			/* readable once the process exited */
	char comm[NSTAINT_COMM_LEN + 1];
	unsigned long long lost_seen, invalid_seen; /* in the counts */
	bool broken_seen;		/* counted and said */
	bool dead;			/* gone at the last rings_mark */
};

struct rings {
	const char *cmd;		/* "trace": for messages */
	struct ring_slot *slot;		/* RINGS_MAX, allocated at first use */
	size_t n;
	size_t bytes;			/* mapped by the n open */
	unsigned int said;		/* messages printed (capped) */
};

/* One record of @s's ring, checked; a negative errno stops the poll. */
typedef int (*rings_fn)(void *ctx, const struct ring_slot *s,
			const struct mn_ring_rec *rec);

/*
 * Process @pid says its ring is fd @fd: open it, unless one of @pid is
 * open already.  Counted in @c (opened or refused).
 */
void rings_open(struct rings *rs, pid_t pid, int fd, struct rep_counts *c);

/*
 * Order with the kernel's records: a report names tasks that the records
 * before it (made by the same process earlier) say ran on a tainted
 * thread.  So the decoder notes a time T (rings_mark: which processes are
 * gone by then), has the drain thread queue every record made before T
 * (pipeline_sync's request) and passes them on, then reads the rings up
 * to T: every ring (RINGS_BATCH each) to its first record made at T or
 * later, handing records to @fn; a ring of a process gone at T entirely,
 * then closed.  0 or @fn's error.
 */
void rings_mark(struct rings *rs);
int rings_poll(struct rings *rs, __u64 before_ns, rings_fn fn, void *ctx,
	       struct rep_counts *c);

/* @pid exec'd: its ring (if any) read a last time and closed.  1 if it
 * had one, 0 if not, or @fn's error. */
int rings_exec(struct rings *rs, pid_t pid, rings_fn fn, void *ctx,
	       struct rep_counts *c);

/* Whether any ring is open (the decoder then wakes more often). */
bool rings_any(const struct rings *rs);

/* Read each a last time, close all. */
int rings_close(struct rings *rs, rings_fn fn, void *ctx, struct rep_counts *c);

#endif
