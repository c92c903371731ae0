// SPDX-License-Identifier: GPL-2.0-only
/* Two unsynchronised reads are no race; a read and a write are (the
 * racy variant makes the child's access a write). */
#include "racetest.h"

int x = 5;
volatile int sink;

static void *child(void *arg)
{
	if (racy)
		x = 6; // mark:first
	else
		sink = x; // mark:norace
	step();
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;

	racetest_init(argc, argv, 2);
	t = spawn(child, NULL);
	step();
	printf("%d\n", x); // mark:second
	pthread_join(t, NULL);
	return 0;
}
