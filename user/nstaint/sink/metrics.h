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

/* Labels of nstaint_backend, set before the pipeline starts. */
void metrics_set_backend(const char *backend, const char *hook);

/*
 * Append the latest page (nstaint_* families, then process_* of this
 * process) to @p.  0, or -EAGAIN before the first tick.  Any thread.
 */
int metrics_page(struct promtext *p);

/* CLOCK_MONOTONIC ns of the last tick, 0 before the first.  Any thread. */
unsigned long long metrics_last_tick_ns(void);

#endif
