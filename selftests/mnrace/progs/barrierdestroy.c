// SPDX-License-Identifier: GPL-2.0-only
/* A barrier is used again as its waiters return: destroying it while
 * another thread may still be returning from its wait is a race, even
 * though every arrival happened before (as TSan's race_on_barrier2.c);
 * destroying it after joining that thread is not. */
#include "racetest.h"

pthread_barrier_t b;

static void *child(void *arg)
{
	pthread_barrier_wait(&b); // mark:first
	step();
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;

	racetest_init(argc, argv, 2);
	pthread_barrier_init(&b, NULL, 2);
	t = spawn(child, NULL);
	pthread_barrier_wait(&b);
	step();
	if (!racy)
		pthread_join(t, NULL);
	pthread_barrier_destroy(&b); // mark:second
	if (racy)
		pthread_join(t, NULL);
	return 0;
}
