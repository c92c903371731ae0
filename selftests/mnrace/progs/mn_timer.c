// SPDX-License-Identifier: GPL-2.0-only
/* Timers: mn_after's caller happens before the receive of its tick; the
 * racy variant writes after mn_after.  The channel is handed over by a
 * relaxed atomic: no edge of its own. */
#include "mntest.h"

static int x;
static mn_chan *tick;

static void child(void *arg)
{
	mn_chan *t = NULL;

	if (racy)
		t = mn_after(1000000);
	x = 1; // mark:first
	if (!racy)
		t = mn_after(1000000);
	__atomic_store_n(&tick, t, __ATOMIC_RELAXED);
	step();
}

static int test_main(void *arg)
{
	int64_t when;

	mn_go(child, NULL);
	step();
	mn_chan_recv(__atomic_load_n(&tick, __ATOMIC_RELAXED), &when);
	x++; // mark:second
	mn_chan_free(__atomic_load_n(&tick, __ATOMIC_RELAXED));
	return 0;
}

MNTEST_MAIN(2)
