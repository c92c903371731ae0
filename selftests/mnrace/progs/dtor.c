// SPDX-License-Identifier: GPL-2.0-only
/* Instrumented code that runs after a thread's start function returned
 * (a thread-specific data destructor that locks a mutex and frees) runs
 * unchecked and makes no edge: no crash, no report, the count right.
 * Run as "dtor norace" (there is no racy variant). */
#include "racetest.h"

#define THREADS 4

int done;
pthread_key_t key;
pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

static void destructor(void *p)
{
	pthread_mutex_lock(&m);
	done++;
	pthread_mutex_unlock(&m);
	free(p);
}

static void *child(void *arg)
{
	pthread_setspecific(key, malloc(8));
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[THREADS];

	racetest_init(argc, argv, 1);
	pthread_key_create(&key, destructor);
	for (int i = 0; i < THREADS; i++)
		t[i] = spawn(child, NULL);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	printf("%d\n", done);
	return done != THREADS;
}
