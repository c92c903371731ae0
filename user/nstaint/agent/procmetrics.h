/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * procmetrics: the standard process_* families every Prometheus exporter
 * serves, read from /proc/PID (the agent passes its own pid):
 * process_cpu_seconds_total, process_open_fds, process_max_fds,
 * process_virtual_memory_bytes, process_virtual_memory_max_bytes,
 * process_resident_memory_bytes, process_start_time_seconds.
 * Same definitions as the official clients (Go's and Python's).
 */
#ifndef NSTAINT_AGENT_PROCMETRICS_H
#define NSTAINT_AGENT_PROCMETRICS_H

#include <sys/types.h>

#include "promtext.h"

/* Write the seven families for @pid into @p.  0, or -errno (nothing is
 * written when /proc/PID/stat cannot be read). */
int procmetrics_write(struct promtext *p, pid_t pid);

#endif
