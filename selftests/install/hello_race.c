// SPDX-License-Identifier: GPL-2.0-only
/*
 * A racy pthread program built by install_test.sh against the installed
 * mnrace.h and mnrace.pc: a thread and main write one global with no
 * synchronisation, always in that order (the invisible barrier of
 * mnrace.h orders them without an edge), so mnrace reports the race at
 * the two marked lines every time.
 */
#include <mnrace.h>
#include <pthread.h>
#include <stdio.h>

static int shared;
static invisible_barrier_t order;

static void *writer(void *arg)
{
	shared = 1; // mark:first
	__tsan_testonly_barrier_wait(&order);
	return NULL;
}

int main(void)
{
	pthread_t t;

	__tsan_testonly_barrier_init(&order, 2);
	if (pthread_create(&t, NULL, writer, NULL))
		return 2;
	__tsan_testonly_barrier_wait(&order);
	shared = 2; // mark:second
	pthread_join(t, NULL);
	printf("shared=%d\n", shared);
	return 0;
}
