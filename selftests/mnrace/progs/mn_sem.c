// SPDX-License-Identifier: GPL-2.0-only
/* mn_sem: a release happens before the acquire it lets through; the racy
 * variant writes after its release. */
#include "mntest.h"

static int x;
static mn_sem s;

static void child(void *arg)
{
	if (racy)
		mn_sem_release(&s);
	x = 1; // mark:first
	if (!racy)
		mn_sem_release(&s);
	step();
}

static int test_main(void *arg)
{
	mn_sem_init(&s, 0);
	mn_go(child, NULL);
	mn_sem_acquire(&s);
	step();
	x++; // mark:second
	return 0;
}

MNTEST_MAIN(2)
