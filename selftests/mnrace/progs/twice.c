// SPDX-License-Identifier: GPL-2.0-only
/* Two races: on the eight words of x, from one pc pair, and on y, its
 * later access made three times: two reports (each pair of pcs once,
 * whatever the word), then "reported 2 warnings".  For the options: halt_on_error stops at the first,
 * suppressions silence both (both earlier accesses are in child()). */
#include "racetest.h"

long x[8];
volatile int y;	/* volatile: the three reads stay at their line */

static void *child(void *arg)
{
	for (int i = 0; i < 8; i++)
		x[i] = 1; // mark:first
	y = 1; // mark:first2
	step();
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;
	long sum = 0;

	racetest_init(argc, argv, 2);
	t = spawn(child, NULL);
	step();
	if (!racy)
		pthread_join(t, NULL);
	for (int i = 0; i < 8; i++)
		sum += x[i]; // mark:second
	for (int i = 0; i < 3; i++)
		sum += y; // mark:second2
	if (racy)
		pthread_join(t, NULL);
	printf("%ld\n", sum);
	return 0;
}
