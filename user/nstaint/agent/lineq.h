/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lineq: a bounded queue of whole lines between one producer that must
 * never wait (the pipeline's thread, formatting export lines) and one
 * consumer that may (the export writer, on a slow disk or a full pipe).
 * A push to a full queue fails at once; the producer counts it.
 */
#ifndef NSTAINT_AGENT_LINEQ_H
#define NSTAINT_AGENT_LINEQ_H

#include <stdbool.h>
#include <stddef.h>

struct lineq;

/* A queue of at most @cap lines (at least 2), or NULL. */
struct lineq *lineq_new(size_t cap);

/*
 * Queue @line (malloc'ed, @len bytes) if at least @room slots are free
 * (@room >= 1: the producer reserves a slot for a line that says what it
 * dropped).  true: the queue owns @line; false: full, the caller keeps it.
 */
bool lineq_push(struct lineq *q, char *line, size_t len, size_t room);

/*
 * Wait for the oldest line: true with *@line (the caller frees it) and
 * *@len; false once the queue is closed and empty.
 */
bool lineq_pop(struct lineq *q, char **line, size_t *len);

/* No more pushes: lineq_pop returns what is left, then false. */
void lineq_close(struct lineq *q);

/* Lines queued now, and the capacity.  Any thread. */
size_t lineq_len(struct lineq *q);
size_t lineq_cap(const struct lineq *q);

/* After the consumer has seen false from lineq_pop. */
void lineq_free(struct lineq *q);

#endif
