// SPDX-License-Identifier: GPL-2.0-only
/* mn_waitgroup: Done happens before Wait returns; the racy variant
 * writes after its Done. */
#include "mntest.h"

static int x;
static mn_waitgroup wg;

static void child(void *arg)
{
	if (racy)
		mn_wg_done(&wg);
	x = 1; // mark:first
	if (!racy)
		mn_wg_done(&wg);
	step();
}

static int test_main(void *arg)
{
	mn_wg_add(&wg, 1);
	mn_go(child, NULL);
	mn_wg_wait(&wg);
	step();
	x++; // mark:second
	return 0;
}

MNTEST_MAIN(2)
