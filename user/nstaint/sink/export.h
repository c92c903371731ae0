/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The agent's event export sink ("export"): one JSON line per record, the
 * fields of `trace --json` behind an envelope (docs/agent.md):
 *   {"schema":1,"time":"<RFC 3339 UTC, ns>","node_name":"...",
 *    "event":...,"ktime":<CLOCK_MONOTONIC s.ns>, ...}
 * to standard output or a rotating file (agent/rotlog).  Each line goes
 * out in one write(2); a line that cannot be written is counted as lost
 * at stage "export".
 */
#ifndef NSTAINT_SINK_EXPORT_H
#define NSTAINT_SINK_EXPORT_H

#include <stdbool.h>
#include <stdint.h>

#include <nstaint/events.h>

#define EXPORT_SCHEMA 1

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
};

/* Before the sink opens. */
void export_configure(const struct export_opts *o);
/* SIGHUP: reopen the file (logrotate moved it).  Async-signal-safe. */
void export_request_reopen(void);
/* Lines that could not be written.  Any thread. */
unsigned long long export_lost(void);

#endif
