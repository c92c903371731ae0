// SPDX-License-Identifier: GPL-2.0-only
/* Seed pattern: WaitGroup Add inside the task.  In the racy variant the
 * task's Add comes after the Wait, which returned at once; the fixed one
 * calls Add before mn_go. */
#include "mntest.h"

static int x;
static mn_waitgroup wg;

static void worker(void *arg)
{
	if (racy) {
		step();		/* after the Wait: what the bug allows */
		mn_wg_add(&wg, 1);
	}
	x = 1; // mark:first
	mn_wg_done(&wg);
	step();
}

static int test_main(void *arg)
{
	if (!racy)
		mn_wg_add(&wg, 1);
	mn_go(worker, NULL);
	mn_wg_wait(&wg);
	if (racy)
		step();
	step();
	printf("%d\n", x); // mark:second
	return 0;
}

MNTEST_MAIN(2)
