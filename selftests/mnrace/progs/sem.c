// SPDX-License-Identifier: GPL-2.0-only
/* Semaphore: a post happens before the wait that takes it; a write after
 * the post (the racy variant) does not. */
#include <semaphore.h>

#include "racetest.h"

int x;
sem_t s;

static void *child(void *arg)
{
	if (!racy)
		x = 1; // mark:norace
	sem_post(&s);
	if (racy)
		x = 2; // mark:first
	step();
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;

	racetest_init(argc, argv, 2);
	sem_init(&s, 0, 0);
	t = spawn(child, NULL);
	sem_wait(&s);
	step();
	printf("%d\n", x); // mark:second
	pthread_join(t, NULL);
	sem_destroy(&s);
	return 0;
}
