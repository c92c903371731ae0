// SPDX-License-Identifier: GPL-2.0-only
/* The earlier access's stack comes from its task's history: after the
 * write, the child makes CALLS calls, about 2*CALLS words of history.
 * That fits in the default 8 parts of 2048 words, not in the single part
 * of history_size=0: then the race is still reported, and the report
 * says the earlier stack could not be restored. */
#include "racetest.h"

#define CALLS 3000

int x, sink;

__attribute__((noinline)) static void busy(int i)
{
	sink += i;
}

__attribute__((noinline)) static void writer(void)
{
	x = 1; // mark:first
}

static void *child(void *arg)
{
	writer();
	for (int i = 0; i < CALLS; i++)
		busy(i);
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
		pthread_join(t, NULL);
	printf("%d\n", x); // mark:second
	if (racy)
		pthread_join(t, NULL);
	return 0;
}
