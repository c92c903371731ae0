// SPDX-License-Identifier: GPL-2.0-only
/* pthread_join: the child's writes happen before join returns, not before
 * a read made earlier. */
#include "racetest.h"

int x;

static void *child(void *arg)
{
	x = 1; // mark:first
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
