/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A sink: where decoded records go (text lines, JSON lines; the agent's
 * metrics and export next).  The pipeline calls ->record for each record
 * in order, ->report for each report read from a process's report ring, ->tick about every 100 ms with the tracker (the tainted
 * threads now) and the counts, ->close once with the totals.  A sink reads only what it
 * is given.  Adding one: a file in sink/ defining its ops, and a line in
 * sink/sinks.c.
 */
#ifndef NSTAINT_SINK_H
#define NSTAINT_SINK_H

#include <stdbool.h>
#include <stdio.h>

struct record;
struct report;
struct tracker;
struct ev_counts;

struct sink_opts {
	FILE *out;			/* where text goes (stdout) */
};

struct sink;

struct sink_ops {
	const char *name;
	bool stacks;		/* wants stacks symbolized */
	/* 0 or a negative errno, after printing why. */
	int (*open)(struct sink *s, const struct sink_opts *o);
	/* 0, or a negative errno that stops the pipeline. */
	int (*record)(struct sink *s, const struct record *r);
	/* Optional: a report from a process's report ring (model/report.h),
	 * in the order the decoder reads them; the same return. */
	int (*report)(struct sink *s, const struct report *rep);
	/* Optional, about every 100 ms: every record so far is in @t (NULL
	 * when no tracker is kept) and counted in @c (by type, lost by
	 * stage): what a metrics sink exports. */
	int (*tick)(struct sink *s, const struct tracker *t,
		    const struct ev_counts *c);
	/* Optional: the pipeline ended with these totals. */
	void (*close)(struct sink *s, const struct ev_counts *c);
};

struct sink {
	const struct sink_ops *ops;
	FILE *out;
	void *priv;			/* owned by the sink */
};

/* The sink named @name, or NULL (sinks.c). */
const struct sink_ops *sink_find(const char *name);

/* Every sink, for tests: *n set to their number. */
const struct sink_ops *const *sink_all(size_t *n);

/*
 * Output of stream sinks is buffered (SINK_BUFFER) and flushed by the
 * pipeline only between records, once SINK_FLUSH_AT bytes are pending or
 * the queue is empty: no line is cut by a flush while a record is
 * smaller than the difference (a record with a 16-frame stack of long
 * names is some KiB).
 */
#define SINK_BUFFER	(1 << 20)
#define SINK_FLUSH_AT	(1 << 16)

/* Open a sink that writes to @o->out and keeps nothing else. */
int sink_open_stream(struct sink *s, const struct sink_opts *o);

#endif
