// SPDX-License-Identifier: GPL-2.0-only
/* Seed pattern: a loop variable captured by reference.  The racy variant
 * hands the task &i, which the loop's i++ writes while the task reads
 * it; the fixed one hands a copy made before the spawn. */
#include "mntest.h"

static int copies[1];

static void worker(void *arg)
{
	step();
	printf("%d\n", *(int *)arg); // mark:second
	step();
}

static int test_main(void *arg)
{
	int i;

	for (i = 0; i < 1; i++) { // mark:first
		copies[i] = i;
		mn_go(worker, racy ? &i : &copies[i]);
	}
	step();
	step();		/* the worker is done with i */
	return i - 1;
}

MNTEST_MAIN(2)
