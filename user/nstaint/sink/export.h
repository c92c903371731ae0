/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The agent's event export sink ("export"): one JSON line per record, the
 * fields of `trace --json` behind an envelope (docs/agent.md):
 *   {"schema":1,"time":"<RFC 3339 UTC, ns>","node_name":"...",
 *    "event":...,"ktime":<CLOCK_MONOTONIC s.ns>, ...}
 * to standard output or a rotating file (agent/rotlog), by a writer
 * thread behind a bounded queue (EXPORT_QUEUE_LEN lines by default) that
 * never blocks the pipeline.  Each line goes out in one write(2); a line
 * that does not fit in the queue, or cannot be written, is counted as
 * lost at stage "export"; those dropped from a full queue are also said
 * in the stream by a `lost` line of stage export.
 */
#ifndef NSTAINT_SINK_EXPORT_H
#define NSTAINT_SINK_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nstaint/events.h>

#define EXPORT_SCHEMA 1
/* Lines queued for the writer at most, by default. */
#define EXPORT_QUEUE_LEN 4096

struct export_opts {
	const char *path;		/* NULL: standard output */
	uint64_t max_bytes;		/* rotation size of the file */
	unsigned int backups;
	bool gzip;
	/* Bit per event type exported; whole-process ns_change (home
	 * moved: container starts, in bulk) only with @home_moves. */
	unsigned int events;
	bool home_moves;
	const char *node_name;
	size_t queue_len;		/* 0: EXPORT_QUEUE_LEN */
};

/* Before the sink opens. */
void export_configure(const struct export_opts *o);
/* The event filter of export_opts, changed while running (SIGHUP). */
void export_set_filter(unsigned int events, bool home_moves);
/* node_name of the lines from now on (SIGHUP); pipeline thread. */
void export_set_node_name(const char *name);
/* SIGHUP: reopen the file (logrotate moved it).  Async-signal-safe. */
void export_request_reopen(void);
/* Lines that could not be written.  Any thread. */
unsigned long long export_lost(void);
/* Lines written whole.  Any thread. */
unsigned long long export_written(void);
/* Lines in the export queue now, and its capacity.  Any thread. */
size_t export_queue_len(void);
size_t export_queue_cap(void);

#endif
