// SPDX-License-Identifier: GPL-2.0-only
/* mnrace_ignore_range: the same unsynchronised accesses are reported
 * unless their bytes were ignored first (the race-free variant), while a
 * race on the word next to them is still reported in both variants. */
#include "racetest.h"

long x[2];

static void *child(void *arg)
{
	x[0] = 1; // mark:first
	x[1] = 1; // mark:first2
	step();
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;

	racetest_init(argc, argv, 2);
	if (!racy)
		mnrace_ignore_range(&x[0], sizeof(x[0]));
	t = spawn(child, NULL);
	step();
	printf("%ld\n", x[0]); // mark:second
	printf("%ld\n", x[1]); // mark:second2
	pthread_join(t, NULL);
	return 0;
}
