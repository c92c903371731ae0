// SPDX-License-Identifier: GPL-2.0-only
/* A heap block written by one task and read by another: without the
 * join (the racy variant) the report names the block and the line that
 * allocated it. */
#include "racetest.h"

int *p;

static void *child(void *arg)
{
	p[3] = 1; // mark:first
	step();
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;

	racetest_init(argc, argv, 2);
	p = malloc(16 * sizeof(int)); // mark:alloc
	t = spawn(child, NULL); // mark:spawn
	step();
	if (!racy)
		pthread_join(t, NULL);
	printf("%d\n", p[3]); // mark:second
	if (racy)
		pthread_join(t, NULL);
	free(p);
	return 0;
}
