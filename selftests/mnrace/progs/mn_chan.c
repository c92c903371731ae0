// SPDX-License-Identifier: GPL-2.0-only
/* Unbuffered channel: a send happens before its receive completes; the
 * racy variant sends before the write. */
#include "mntest.h"

static int x;
static mn_chan *c;

static void child(void *arg)
{
	int v = 1;

	if (racy)
		mn_chan_send(c, &v);
	x = 1; // mark:first
	if (!racy)
		mn_chan_send(c, &v);
	step();
}

static int test_main(void *arg)
{
	int v;

	c = mn_chan_make(sizeof(int), 0);
	mn_go(child, NULL);
	mn_chan_recv(c, &v);
	step();
	x++; // mark:second
	return 0;
}

MNTEST_MAIN(2)
