// SPDX-License-Identifier: GPL-2.0-only
/* lineq.h: a ring of line pointers under a mutex (held for a copy only). */
#include <pthread.h>
#include <stdlib.h>

#include "agent/lineq.h"

struct lq_item {
	char *line;
	size_t len;
};

struct lineq {
	pthread_mutex_t lock;
	pthread_cond_t nonempty;
	size_t cap, head, n;
	bool closed;
	struct lq_item items[];
};

struct lineq *lineq_new(size_t cap)
{
	struct lineq *q;

	if (cap < 2)
		return NULL;
	q = calloc(1, sizeof(*q) + cap * sizeof(q->items[0]));
	if (!q)
		return NULL;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->nonempty, NULL);
	q->cap = cap;
	return q;
}

bool lineq_push(struct lineq *q, char *line, size_t len, size_t room)
{
	bool ok;

	pthread_mutex_lock(&q->lock);
	ok = !q->closed && q->cap - q->n >= (room ? room : 1);
	if (ok) {
		q->items[(q->head + q->n) % q->cap] = (struct lq_item){ line, len };
		q->n++;
		pthread_cond_signal(&q->nonempty);
	}
	pthread_mutex_unlock(&q->lock);
	return ok;
}

bool lineq_pop(struct lineq *q, char **line, size_t *len)
{
	bool ok;

	pthread_mutex_lock(&q->lock);
	while (!q->n && !q->closed)
		pthread_cond_wait(&q->nonempty, &q->lock);
	ok = q->n > 0;
	if (ok) {
		*line = q->items[q->head].line;
		*len = q->items[q->head].len;
		q->head = (q->head + 1) % q->cap;
		q->n--;
	}
	pthread_mutex_unlock(&q->lock);
	return ok;
}

void lineq_close(struct lineq *q)
{
	pthread_mutex_lock(&q->lock);
	q->closed = true;
	pthread_cond_broadcast(&q->nonempty);
	pthread_mutex_unlock(&q->lock);
}

size_t lineq_len(struct lineq *q)
{
	size_t n;

	pthread_mutex_lock(&q->lock);
	n = q->n;
	pthread_mutex_unlock(&q->lock);
	return n;
}

size_t lineq_cap(const struct lineq *q)
{
	return q->cap;
}

void lineq_free(struct lineq *q)
{
	if (!q)
		return;
	while (q->n) {
		free(q->items[q->head].line);
		q->head = (q->head + 1) % q->cap;
		q->n--;
	}
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->nonempty);
	free(q);
}
