// SPDX-License-Identifier: GPL-2.0-only
/* The table of sinks: a new sink is its file and one line here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sink/sink.h"

/* One X(name) per sink/name.c, which defines sink_name_ops. */
#define SINKS(X) \
	X(text) \
	X(json) \
	X(metrics) \
	X(export)

#define DECLARE(name) extern const struct sink_ops sink_##name##_ops;
#define ENTRY(name) &sink_##name##_ops,
SINKS(DECLARE)

static const struct sink_ops *const sinks[] = { SINKS(ENTRY) };

const struct sink_ops *sink_find(const char *name)
{
	for (size_t i = 0; i < sizeof(sinks) / sizeof(sinks[0]); i++)
		if (!strcmp(sinks[i]->name, name))
			return sinks[i];
	return NULL;
}

const struct sink_ops *const *sink_all(size_t *n)
{
	*n = sizeof(sinks) / sizeof(sinks[0]);
	return sinks;
}

int sink_open_stream(struct sink *s, const struct sink_opts *o)
{
	/*
	 * Lines reach the file whole (the pipeline flushes between records,
	 * SINK_FLUSH_AT): a traced program may write there too.  glibc
	 * ignores the size unless given the buffer, which the stream uses
	 * until the process exits: it is never freed.
	 */
	char *buf;

	s->out = o->out;
	/* A stream without a file (open_memstream) keeps its own buffer. */
	if (fileno(s->out) < 0)
		return 0;
	buf = malloc(SINK_BUFFER);
	if (buf && setvbuf(s->out, buf, _IOFBF, SINK_BUFFER))
		free(buf);
	return 0;
}
