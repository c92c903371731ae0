/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * envelope: what every exported event line carries besides the record:
 * the wall-clock time in RFC 3339 UTC with nanoseconds, and the node's
 * name (the --node-name flag, else $NODE_NAME as Kubernetes' downward API
 * sets it, else the host name).
 */
#ifndef NSTAINT_AGENT_ENVELOPE_H
#define NSTAINT_AGENT_ENVELOPE_H

#include <stddef.h>
#include <time.h>

#define ENVELOPE_TIME_LEN sizeof("2026-12-01T14:12:22.123456789Z")

/* "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" into @buf (at least ENVELOPE_TIME_LEN).
 * 0, or -EINVAL for a time gmtime cannot represent. */
int envelope_time(const struct timespec *ts, char *buf, size_t sz);

/* The node name: @flag if set, else $NODE_NAME, else uname's nodename. */
const char *envelope_node_name(const char *flag, char *buf, size_t sz);

#endif
