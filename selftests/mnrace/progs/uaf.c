// SPDX-License-Identifier: GPL-2.0-only
/* A read of a heap block after another task freed it is reported as a
 * heap-use-after-free even though the join orders the two (it is no
 * race, it is worse); the race-free variant reads before the free. */
#include "racetest.h"

int *p;

static void *child(void *arg)
{
	free(p); // mark:first
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;

	racetest_init(argc, argv, 1);
	p = malloc(16 * sizeof(int));
	p[3] = 7;
	if (!racy)
		printf("%d\n", p[3]); // mark:norace
	t = spawn(child, NULL);
	pthread_join(t, NULL);
	if (racy)
		printf("%d\n", p[3]); // mark:second
	return 0;
}
