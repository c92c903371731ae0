/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * alog: the agent's own log lines on stderr (--log-format), one whole
 * line per message, written with one fwrite on an unbuffered stderr so
 * lines of two threads never mix:
 *   text: nstaint agent: MESSAGE
 *   json: {"time":"<RFC 3339 UTC, ns>","level":"info","msg":"MESSAGE"}
 * Messages printed by the sources themselves ("nstaint: ...", e.g. why
 * BPF could not be loaded) stay text: they are shared with trace.
 */
#ifndef NSTAINT_AGENT_ALOG_H
#define NSTAINT_AGENT_ALOG_H

#include <stdbool.h>

enum alog_level { ALOG_INFO, ALOG_WARN, ALOG_ERROR };

/* "text" or "json"; false for anything else. */
bool alog_set_format(const char *name);

void alog(enum alog_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
