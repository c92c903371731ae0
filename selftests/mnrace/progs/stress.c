// SPDX-License-Identifier: GPL-2.0-only
/* Many tasks at once through every interposed path (mutex-protected
 * counter, malloc/free handed over through a mutex-protected slot,
 * seq_cst atomics, short-lived threads that reuse slots): correct
 * synchronisation everywhere, so no report, and the counts add up.  The
 * racy variant drops the mutex around the counter: reports (its read and
 * its write make two pc pairs), all about that line. */
#include <stdatomic.h>

#include "racetest.h"

#define THREADS 8
#define ROUNDS 20000

long counter;
int *handoff;
pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
atomic_long total;

static void *short_lived(void *arg)
{
	atomic_fetch_add(&total, 1);
	return NULL;
}

static void *worker(void *arg)
{
	for (int i = 0; i < ROUNDS; i++) {
		int *p = malloc(sizeof(*p) * (1 + i % 7)), *q;

		p[0] = i;
		if (!racy)
			pthread_mutex_lock(&m);
		counter++; // mark:second
		if (!racy)
			pthread_mutex_unlock(&m);
		pthread_mutex_lock(&m);
		q = handoff;
		handoff = p;
		pthread_mutex_unlock(&m);
		if (q)
			free(q);
		atomic_fetch_add(&total, 1);
		if (i % 2000 == 0)
			pthread_join(spawn(short_lived, NULL), NULL);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[THREADS];

	racetest_init(argc, argv, 1);
	for (int i = 0; i < THREADS; i++)
		t[i] = spawn(worker, NULL);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	free(handoff);
	if (!racy && counter != (long)THREADS * ROUNDS)
		return 4;
	return atomic_load(&total) == (long)THREADS * (ROUNDS + ROUNDS / 2000) ? 0 : 5;
}
