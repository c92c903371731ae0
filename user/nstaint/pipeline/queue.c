// SPDX-License-Identifier: GPL-2.0-only
/*
 * A single-producer single-consumer ring of items: the producer owns
 * @tail, the consumer @head; each publishes with release and reads the
 * other's with acquire.  The consumer sleeps on a condition variable; it
 * says so in @waiting before it looks a last time, and the producer
 * checks @waiting after it published (both sequentially consistent), so
 * one of them sees the other and no wake-up is lost.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "pipeline/queue.h"

struct queue {
	size_t mask;
	_Atomic size_t head;		/* next to pop */
	_Atomic size_t tail;		/* next to push */
	_Atomic unsigned long long dropped;
	_Atomic int waiting;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct qitem items[];
};

struct queue *queue_new(size_t cap)
{
	size_t n = 1;
	struct queue *q;
	pthread_condattr_t ca;

	while (n < cap)
		n <<= 1;
	q = calloc(1, sizeof(*q) + n * sizeof(q->items[0]));
	if (!q)
		return NULL;
	q->mask = n - 1;
	pthread_mutex_init(&q->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&q->cond, &ca);
	pthread_condattr_destroy(&ca);
	return q;
}

void queue_free(struct queue *q)
{
	if (!q)
		return;
	pthread_cond_destroy(&q->cond);
	pthread_mutex_destroy(&q->lock);
	free(q);
}

bool queue_push(struct queue *q, const struct qitem *it)
{
	size_t tail = atomic_load_explicit(&q->tail, memory_order_relaxed);
	size_t head = atomic_load_explicit(&q->head, memory_order_acquire);

	if (tail - head > q->mask) {
		if (it->kind == QITEM_RECORD)
			atomic_fetch_add(&q->dropped, 1);
		return false;
	}
	q->items[tail & q->mask] = *it;
	atomic_store_explicit(&q->tail, tail + 1, memory_order_release);
	return true;
}

void queue_wake(struct queue *q)
{
	atomic_thread_fence(memory_order_seq_cst);
	if (!atomic_load(&q->waiting))
		return;
	pthread_mutex_lock(&q->lock);
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

bool queue_pop(struct queue *q, struct qitem *it)
{
	size_t head = atomic_load_explicit(&q->head, memory_order_relaxed);
	size_t tail = atomic_load_explicit(&q->tail, memory_order_acquire);

	if (head == tail)
		return false;
	*it = q->items[head & q->mask];
	atomic_store_explicit(&q->head, head + 1, memory_order_release);
	return true;
}

void queue_wait(struct queue *q, int timeout_ms)
{
	struct timespec until;

	if (queue_len(q))
		return;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&q->lock);
	atomic_store(&q->waiting, 1);
	if (!queue_len(q))
		pthread_cond_timedwait(&q->cond, &q->lock, &until);
	atomic_store(&q->waiting, 0);
	pthread_mutex_unlock(&q->lock);
}

size_t queue_len(const struct queue *q)
{
	return atomic_load(&q->tail) - atomic_load(&q->head);
}

size_t queue_cap(const struct queue *q)
{
	return q->mask + 1;
}

unsigned long long queue_dropped(const struct queue *q)
{
	return atomic_load(&q->dropped);
}
