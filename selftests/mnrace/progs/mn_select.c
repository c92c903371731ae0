// SPDX-License-Identifier: GPL-2.0-only
/* Select: the case it takes synchronises like a plain receive (here with
 * a blocked sender, an unbuffered hand-off into the select); the racy
 * variant writes after its send. */
#include "mntest.h"

static int x;
static mn_chan *a, *b;

static void child(void *arg)
{
	int v = 1;

	if (racy)
		mn_chan_send(b, &v);
	x = 1; // mark:first
	if (!racy)
		mn_chan_send(b, &v);
	step();
}

static int test_main(void *arg)
{
	int v;
	struct mn_sel_case cs[2] = {
		{ .chan = NULL, .dir = MN_SEL_RECV, .elem = &v },
		{ .chan = NULL, .dir = MN_SEL_RECV, .elem = &v },
	};

	a = mn_chan_make(sizeof(int), 0);
	b = mn_chan_make(sizeof(int), 0);
	cs[0].chan = a;
	cs[1].chan = b;
	mn_go(child, NULL);
	if (mn_select(cs, 2, MN_FOREVER) != 1)
		return 2;
	step();
	x++; // mark:second
	return 0;
}

MNTEST_MAIN(2)
