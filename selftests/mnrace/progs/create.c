// SPDX-License-Identifier: GPL-2.0-only
/* pthread_create: the creator's writes before it happen before the
 * child; a write after it does not. */
#include "racetest.h"

int x;

static void *child(void *arg)
{
	step();
	printf("%d\n", x); // mark:second
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;

	racetest_init(argc, argv, 2);
	if (!racy)
		x = 1; // mark:norace
	t = spawn(child, NULL);
	if (racy)
		x = 2; // mark:first
	step();
	pthread_join(t, NULL);
	return 0;
}
