// SPDX-License-Identifier: GPL-2.0-only
/* pthread barrier: every arrival happens before every departure; a read
 * before the barrier (the racy variant) races with a write before it. */
#include "racetest.h"

int x;
pthread_barrier_t b;

static void *child(void *arg)
{
	x = 1; // mark:first
	step();
	pthread_barrier_wait(&b);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;

	racetest_init(argc, argv, 2);
	pthread_barrier_init(&b, NULL, 2);
	t = spawn(child, NULL);
	step();
	if (!racy)
		pthread_barrier_wait(&b);
	printf("%d\n", x); // mark:second
	if (racy)
		pthread_barrier_wait(&b);
	pthread_join(t, NULL);
	pthread_barrier_destroy(&b);
	return 0;
}
