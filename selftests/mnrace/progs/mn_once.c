// SPDX-License-Identifier: GPL-2.0-only
/* mn_once: the function happens before every return of mn_once_do; the
 * racy variant's second caller uses another once (whose function does
 * not touch x). */
#include "mntest.h"

static int x;
static mn_once once, other;

static void init(void *arg)
{
	x = 1; // mark:first
}

static void nothing(void *arg)
{
}

static void child(void *arg)
{
	mn_once_do(&once, init, NULL);
	step();
}

static int test_main(void *arg)
{
	mn_go(child, NULL);
	step();
	if (racy)
		mn_once_do(&other, nothing, NULL);
	else
		mn_once_do(&once, init, NULL);
	x++; // mark:second
	return 0;
}

MNTEST_MAIN(2)
