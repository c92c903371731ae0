/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The agent's metrics sink ("metrics"): counts records and, at each tick,
 * renders the nstaint_* families from the tracker into a page that the
 * HTTP thread copies under a lock (metrics_page).  One per process: the
 * agent's.
 */
#ifndef NSTAINT_SINK_METRICS_H
#define NSTAINT_SINK_METRICS_H

#include <stdbool.h>

#include "agent/promtext.h"

/* Steps a fallback can come from, at most. */
#define METRICS_SOURCES_MAX	8

/* Before the sink opens and before metrics_note_fallback. */
struct metrics_opts {
	/* What a step down can come from, in the order tried: "fentry"
	 * (BPF's hook, then tracepoints), then every backend of select.c's
	 * table but the last.  Every (from, reason) is served from 0. */
	const char *fallback_from[METRICS_SOURCES_MAX];
	size_t nfrom;
	/* Opt-in labels (--metrics-label). */
	bool comm;		/* comm on nstaint_tainted_threads and
				 * nstaint_unlocked_tasks_total */
	size_t comm_max;	/* distinct values, then comm="_other" */
};
#define METRICS_COMM_MAX_DEFAULT	20

void metrics_configure(const struct metrics_opts *o);

/* Labels of nstaint_backend, set before the pipeline starts. */
void metrics_set_backend(const char *backend, const char *hook);

/*
 * Why a backend could not be opened, from its negative errno: the
 * `reason` of nstaint_backend_fallbacks_total ("permission",
 * "unavailable", "busy", "error").
 */
const char *metrics_fallback_reason(int err);
/* Step @from (of metrics_opts.fallback_from) failed with @err; the next
 * is tried. */
void metrics_note_fallback(const char *from, int err);

/* Why the tracker was set from a /proc snapshot again. */
enum resync_reason {
	RESYNC_START,		/* seeded at start: taints already there */
	RESYNC_LOST_KERNEL,	/* records lost in the kernel */
	RESYNC_LOST_QUEUE,	/* records lost in the user queue */
	RESYNC_COUNT,
};
/* One resync done (pipeline thread). */
void metrics_note_resync(enum resync_reason why);

/*
 * Append the latest page (nstaint_* families, then process_* of this
 * process) to @p.  0, or -EAGAIN before the first tick.  Any thread.
 */
int metrics_page(struct promtext *p);

/* CLOCK_MONOTONIC ns of the last tick, 0 before the first.  Any thread. */
unsigned long long metrics_last_tick_ns(void);

#endif
