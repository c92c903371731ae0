// SPDX-License-Identifier: GPL-2.0-only
/* mn_cond: the waiter sees what the signaller wrote under the mutex
 * (the wait's relock acquires its unlock); the racy variant writes after
 * its unlock, before it signals. */
#include "mntest.h"

static int x, ready;
static mn_mutex mu;
static mn_cond cv;

static void child(void *arg)
{
	mn_mutex_lock(&mu);
	if (!racy)
		x = 1;
	ready = 1;
	mn_mutex_unlock(&mu);
	if (racy)
		x = 1; // mark:first
	mn_cond_signal(&cv);
}

static int test_main(void *arg)
{
	mn_mutex_lock(&mu);
	mn_go(child, NULL);
	while (!ready)
		mn_cond_wait(&cv, &mu);
	mn_mutex_unlock(&mu);
	x++; // mark:second
	return 0;
}

MNTEST_MAIN(1)
