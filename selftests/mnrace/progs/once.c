// SPDX-License-Identifier: GPL-2.0-only
/* pthread_once: the init function happens before every return of
 * pthread_once; a task that reads without calling it (the racy variant)
 * races with the init function's write. */
#include "racetest.h"

int x;
pthread_once_t once = PTHREAD_ONCE_INIT;

static void init(void)
{
	x = 1; // mark:first
}

static void *child(void *arg)
{
	pthread_once(&once, init);
	step();
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;

	racetest_init(argc, argv, 2);
	t = spawn(child, NULL);
	step();
	if (!racy)
		pthread_once(&once, init);
	printf("%d\n", x); // mark:second
	pthread_join(t, NULL);
	return 0;
}
