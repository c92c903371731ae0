// SPDX-License-Identifier: GPL-2.0-only
/* Close happens before a receive that sees the channel closed; the racy
 * variant writes after the close. */
#include "mntest.h"

static int x;
static mn_chan *c;

static void child(void *arg)
{
	if (racy)
		mn_chan_close(c);
	x = 1; // mark:first
	if (!racy)
		mn_chan_close(c);
	step();
}

static int test_main(void *arg)
{
	c = mn_chan_make(sizeof(int), 4);
	mn_go(child, NULL);
	while (mn_chan_recv(c, NULL))
		;
	step();
	x++; // mark:second
	return 0;
}

MNTEST_MAIN(2)
