// SPDX-License-Identifier: GPL-2.0-only
/* A variable on main's stack written by another task: the report says it
 * is on the stack of task 1. */
#include "racetest.h"

static void *child(void *arg)
{
	*(volatile int *)arg = 1; // mark:first
	step();
	return NULL;
}

int main(int argc, char **argv)
{
	volatile int v = 0;
	pthread_t t;

	racetest_init(argc, argv, 2);
	t = spawn(child, (void *)&v);
	step();
	if (!racy)
		pthread_join(t, NULL);
	printf("%d\n", v); // mark:second
	if (racy)
		pthread_join(t, NULL);
	return 0;
}
