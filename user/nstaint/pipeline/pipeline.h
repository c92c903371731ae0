/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The record pipeline: source -> drain thread -> queue -> decode (check,
 * symbolize) -> tracker -> sinks.  The drain thread only copies records
 * from the source (BPF ring buffer, /dev/nstaint) into a bounded queue,
 * so the kernel ring is emptied at memory speed; everything slow (stacks,
 * printing) runs in the caller's thread, from pipeline_run.  Above the
 * queue's high-water mark stacks are passed on raw, not looked up, so the
 * decoder catches up instead of the queue dropping records; what is
 * dropped anyway is reported as `lost` (stage queue).
 *
 * Processes' report rings (libmn's, mnrace's) join in the decoder: the
 * source names them (through the queue, in order with the records), the
 * decoder opens and polls them between records (rings.h) and hands each
 * report, its stacks symbolized, to the sinks' ->report.
 */
#ifndef NSTAINT_PIPELINE_H
#define NSTAINT_PIPELINE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "model/evtable.h"
#include "model/taintedtasks.h"
#include "model/tracker.h"
#include "pipeline/rings.h"
#include "sink/sink.h"
#include "source/source.h"
#include "sym/execlog.h"

#define PIPELINE_SINKS_MAX	4
/* Default queue length (records); NSTAINT_QUEUE_LEN overrides it. */
#define PIPELINE_QUEUE_LEN	65536
/* The drain thread's name (comm, at most 15 characters). */
#define PIPELINE_DRAIN_COMM	"nstaint-drain"
/* Sinks' ticks at most this often. */
#define PIPELINE_TICK_MS	100

struct queue;

struct pipeline {
	const char *cmd;		/* "trace", "top": for messages */
	struct source src;
	struct queue *q;
	size_t high_water;		/* stacks raw above this many queued */
	struct execlog *execs;
	pthread_t drain;
	bool drain_started;
	_Atomic int drain_stop;		/* 1: drain what is left and end */
	_Atomic int drain_err;		/* the source's error, ends it */
	_Atomic unsigned long sync_req, sync_done;
	unsigned long long qdrop_seen;	/* queue drops reported so far */
	unsigned long long ring_lost_seen; /* rings' writers' drops, too */
	bool keep_tracker;
	struct tracker tr;
	struct sink sinks[PIPELINE_SINKS_MAX];
	size_t nsinks;
	bool stacks;			/* a sink prints stacks */
	struct ev_counts counts;
	unsigned long long bad;		/* records of unknown ABI */
	unsigned long long raw_stacks;	/* stacks passed on raw */
	__u64 last_tick_ns;
	/* Report rings: the decoder's alone (rings.h), and the tasks seen
	 * on tainted threads that their reports may name. */
	struct rings rings;
	struct tainted_tasks *tt;
	unsigned long rings_req;	/* the drain's sync asked for; 0: none */
	__u64 rings_t;			/* when it was asked */
};

/*
 * Open source @ops with @o, then start the drain thread.  @tracker: keep
 * the tracker (the tainted threads now).  0 or a negative errno (the
 * source printed why).
 */
int pipeline_open(struct pipeline *p, const char *cmd,
		  const struct source_ops *ops, const struct source_opts *o,
		  bool tracker);

/* Add sink @ops writing to @out, before records flow.  0 or -errno. */
int pipeline_add_sink(struct pipeline *p, const struct sink_ops *ops,
		      FILE *out);

/*
 * Decode and pass on what is queued, waiting up to @timeout_ms for the
 * first item; at most @max items.  Then the sinks' ticks (at most every
 * PIPELINE_TICK_MS).  Returns the
 * number of records passed on, or a negative errno (the source's or a
 * sink's error).
 */
int pipeline_run(struct pipeline *p, int timeout_ms, size_t max);

/*
 * Have the drain thread empty the source once more and pass on all it
 * queued: every record made before the call is through.  1 when done,
 * 0 if @timeout_ms ran out first (a storm), or a negative errno.
 */
int pipeline_sync(struct pipeline *p, int timeout_ms);

/*
 * Stop: the drain thread empties the source and ends, the rest of the
 * queue is passed on, the source closes, then the sinks with the totals.
 */
void pipeline_close(struct pipeline *p);

#endif
