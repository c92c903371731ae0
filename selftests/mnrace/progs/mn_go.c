// SPDX-License-Identifier: GPL-2.0-only
/* mn_go: the creator's writes before it happen before the task; a write
 * after it does not. */
#include "mntest.h"

static int x;

static void child(void *arg)
{
	step();
	printf("%d\n", x); // mark:second
	step();
}

static int test_main(void *arg)
{
	if (!racy)
		x = 1;
	mn_go(child, NULL);
	if (racy)
		x = 2; // mark:first
	step();
	step();
	return 0;
}

MNTEST_MAIN(2)
