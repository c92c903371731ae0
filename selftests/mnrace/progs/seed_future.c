// SPDX-License-Identifier: GPL-2.0-only
/* Seed pattern: a future written after its send.  The racy task signals
 * the future's channel, then stores the result; the fixed one stores it
 * first. */
#include "mntest.h"

static int result;
static mn_chan *done;

static void compute(void *arg)
{
	int one = 1;

	if (racy)
		mn_chan_send(done, &one);
	result = 42; // mark:first
	if (!racy)
		mn_chan_send(done, &one);
	step();
}

static int test_main(void *arg)
{
	int v;

	done = mn_chan_make(sizeof(int), 1);
	mn_go(compute, NULL);
	mn_chan_recv(done, &v);
	step();
	printf("%d\n", result); // mark:second
	return 0;
}

MNTEST_MAIN(2)
