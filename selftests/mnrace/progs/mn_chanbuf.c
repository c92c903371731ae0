// SPDX-License-Identifier: GPL-2.0-only
/* Buffered channel of capacity 1: the k-th receive happens before the
 * (k+1)-th send completes (a channel as a semaphore).  The racy variant
 * reads after its receive; the race-free one before it. */
#include "mntest.h"

static int x;
static mn_chan *c;

static void child(void *arg)
{
	int v = 1;

	mn_chan_send(c, &v);	/* fills the buffer */
	mn_chan_send(c, &v);	/* completes after the first receive */
	step();
	x = 1; // mark:second
	step();
}

static int test_main(void *arg)
{
	int v;

	c = mn_chan_make(sizeof(int), 1);
	mn_go(child, NULL);
	if (!racy)
		printf("%d\n", x);
	mn_chan_recv(c, &v);
	if (racy)
		printf("%d\n", x); // mark:first
	step();
	mn_chan_recv(c, &v);
	step();		/* the child wrote */
	return 0;
}

MNTEST_MAIN(2)
