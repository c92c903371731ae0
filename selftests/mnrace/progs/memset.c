// SPDX-License-Identifier: GPL-2.0-only
/* memset and memmove, performed by the runtime (the pass replaces them):
 * an overlapping memmove gives the right bytes, and a memset of a buffer
 * another task then reads without an edge (the racy variant) races. */
#include "racetest.h"

char buf[64];
volatile size_t n = 40;	/* not a constant: the calls stay calls */

static void *child(void *arg)
{
	memset(buf, 'a', n); // mark:first
	step();
	return NULL;
}

int main(int argc, char **argv)
{
	char mv[16] = "0123456789";
	pthread_t t;

	racetest_init(argc, argv, 2);
	memmove(mv + 2, mv, n / 4);	/* overlapping: 10 bytes two ahead */
	if (strcmp(mv, "010123456789"))
		return 3;
	t = spawn(child, NULL);
	step();
	if (!racy)
		pthread_join(t, NULL);
	printf("%c\n", buf[7]); // mark:second
	if (racy)
		pthread_join(t, NULL);
	return buf[39] != 'a' || buf[40];
}
