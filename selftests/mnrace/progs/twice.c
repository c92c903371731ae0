// SPDX-License-Identifier: GPL-2.0-only
/* Two races (x and y), the second access of each made three times from
 * the same pc: two reports, each pair of pcs once, then "reported 2
 * warnings".  For the options: halt_on_error stops at the first,
 * suppressions silence both (both earlier accesses are in child()). */
#include "racetest.h"

int x, y;

static void *child(void *arg)
{
	x = 1; // mark:first
	y = 1; // mark:first2
	step();
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;
	int sum = 0;

	racetest_init(argc, argv, 2);
	t = spawn(child, NULL);
	step();
	if (!racy)
		pthread_join(t, NULL);
	for (int i = 0; i < 3; i++) {
		sum += x; // mark:second
		sum += y; // mark:second2
	}
	if (racy)
		pthread_join(t, NULL);
	printf("%d\n", sum);
	return 0;
}
