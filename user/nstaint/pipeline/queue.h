/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The bounded queue between the drain thread (one producer, which must
 * never wait) and the decoder (one consumer).  A push onto a full queue
 * drops the item and counts it; the consumer turns the count's growth
 * into a `lost` record of stage queue, so nothing is lost silently.
 */
#ifndef NSTAINT_QUEUE_H
#define NSTAINT_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <nstaint/events.h>

enum qitem_kind {
	QITEM_RECORD,		/* @ev, as the source delivered it */
	QITEM_EXEC,		/* process @pid exec'd */
	QITEM_RING,		/* process @pid has a report ring at fd @fd */
};

struct qitem {
	__u32 kind;		/* enum qitem_kind */
	__u32 pid;		/* QITEM_EXEC, QITEM_RING */
	__s32 fd;		/* QITEM_RING */
	__u32 pad;
	struct nstaint_event ev;
};

struct queue;

/* Room for @cap items (rounded up to a power of two); NULL: no memory. */
struct queue *queue_new(size_t cap);
void queue_free(struct queue *q);

/* Producer: false when full (the item is counted in queue_dropped). */
bool queue_push(struct queue *q, const struct qitem *it);
/* Producer: wake the consumer if it waits (after a batch of pushes). */
void queue_wake(struct queue *q);

/* Consumer: false when empty. */
bool queue_pop(struct queue *q, struct qitem *it);
/* Consumer: wait until an item is there, queue_wake, or @timeout_ms. */
void queue_wait(struct queue *q, int timeout_ms);

size_t queue_len(const struct queue *q);
size_t queue_cap(const struct queue *q);
/* Records dropped since the start (any thread). */
unsigned long long queue_dropped(const struct queue *q);

#endif
