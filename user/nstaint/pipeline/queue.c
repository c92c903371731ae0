// SPDX-License-Identifier: GPL-2.0-only
/*
 * A single-producer single-consumer ring of items: the producer owns
 * @tail, the consumer @head; each publishes with release and reads the
 * other's with acquire.  The consumer sleeps on a futex (@wake): it reads
 * @wake, says so in @waiting, then looks a last time; the producer checks
 * @waiting after it published (both sequentially consistent), so one of
 * them sees the other, and a bump of @wake after the consumer read it
 * makes its FUTEX_WAIT return at once: no wake-up is lost.  The producer
 * takes no lock: it is the real-time drain thread, and a lock held by a
 * consumer that the scheduler put aside would stop it too (priority
 * inversion).
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/syscall.h>

#include "pipeline/queue.h"

struct queue {
	size_t mask;
	_Atomic size_t head;		/* next to pop */
	_Atomic size_t tail;		/* next to push */
	_Atomic unsigned long long dropped;
	_Atomic int waiting;
	_Atomic __u32 wake;		/* the futex: bumped by each wake-up */
	struct qitem items[];
};

struct queue *queue_new(size_t cap)
{
	size_t n = 1;
	struct queue *q;

	while (n < cap)
		n <<= 1;
	q = calloc(1, sizeof(*q) + n * sizeof(q->items[0]));
	if (!q)
		return NULL;
	q->mask = n - 1;
	return q;
}

void queue_free(struct queue *q)
{
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
	atomic_fetch_add(&q->wake, 1);
	syscall(SYS_futex, &q->wake, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
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
	struct timespec rel = {
		.tv_sec = timeout_ms / 1000,
		.tv_nsec = (timeout_ms % 1000) * 1000000L,
	};
	__u32 seen;

	if (queue_len(q) || timeout_ms <= 0)
		return;
	seen = atomic_load(&q->wake);
	atomic_store(&q->waiting, 1);
	/* Woken, timed out, interrupted or @wake moved: the caller looks. */
	if (!queue_len(q))
		syscall(SYS_futex, &q->wake, FUTEX_WAIT_PRIVATE, seen, &rel,
			NULL, 0);
	atomic_store(&q->waiting, 0);
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
