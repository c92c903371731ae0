// SPDX-License-Identifier: GPL-2.0-only
/* mn_mutex: an unlock happens before the next lock of the same mutex; the
 * racy variant locks another one. */
#include "mntest.h"

static int x;
static mn_mutex m, other;

static void child(void *arg)
{
	mn_mutex_lock(&m);
	x = 1; // mark:first
	mn_mutex_unlock(&m);
	step();
}

static int test_main(void *arg)
{
	mn_mutex *mine = racy ? &other : &m;

	mn_go(child, NULL);
	step();
	mn_mutex_lock(mine);
	x++; // mark:second
	mn_mutex_unlock(mine);
	return 0;
}

MNTEST_MAIN(2)
