// SPDX-License-Identifier: GPL-2.0-only
/* free() writes the whole block: freeing what another task wrote without
 * an edge (the racy variant) is a race, reported at the free. */
#include "racetest.h"

char *p;

static void *child(void *arg)
{
	p[5] = 1; // mark:first
	step();
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;

	racetest_init(argc, argv, 2);
	p = calloc(1, 32);
	t = spawn(child, NULL);
	step();
	if (!racy)
		pthread_join(t, NULL);
	free(p); // mark:second
	if (racy)
		pthread_join(t, NULL);
	return 0;
}
