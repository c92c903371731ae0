// SPDX-License-Identifier: GPL-2.0-only
/* Seed pattern: a shared err variable.  The racy task assigns the outer
 * err its caller also assigns; the fixed one has its own. */
#include "mntest.h"

static int err, worker_err;

static int fetch(void)
{
	return -1;
}

static void worker(void *arg)
{
	int *e = arg;

	*e = fetch(); // mark:first
	step();
}

static int test_main(void *arg)
{
	mn_go(worker, racy ? &err : &worker_err);
	step();
	err = 0; // mark:second
	return err;
}

MNTEST_MAIN(2)
