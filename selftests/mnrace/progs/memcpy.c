// SPDX-License-Identifier: GPL-2.0-only
/* memcpy is a read of its source and a write of its destination, checked
 * by the runtime that performs it: a copy into a buffer another task
 * then reads without an edge (the racy variant) is a race. */
#include "racetest.h"

char buf[64], src[64] = "mnrace";

static void *child(void *arg)
{
	memcpy(buf, src, sizeof(buf)); // mark:first
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
	printf("%c\n", buf[2]); // mark:second
	if (racy)
		pthread_join(t, NULL);
	return strcmp(buf, "mnrace") != 0;
}
