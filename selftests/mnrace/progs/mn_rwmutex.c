// SPDX-License-Identifier: GPL-2.0-only
/* mn_rwmutex: a read unlock happens before the next write lock (a reader
 * reads, then a writer writes); the racy variant's reader holds another
 * rwmutex.  Two readers never order each other: readers only read. */
#include "mntest.h"

static int x;
static mn_rwmutex rw, other;

static void reader(void *arg)
{
	mn_rwmutex *mine = racy ? &other : &rw;

	mn_rwmutex_rlock(mine);
	printf("%d\n", x); // mark:first
	mn_rwmutex_runlock(mine);
	step();
}

static int test_main(void *arg)
{
	mn_go(reader, NULL);
	step();
	mn_rwmutex_lock(&rw);
	x = 1; // mark:second
	mn_rwmutex_unlock(&rw);
	return 0;
}

MNTEST_MAIN(2)
