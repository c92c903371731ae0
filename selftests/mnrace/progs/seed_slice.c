// SPDX-License-Identifier: GPL-2.0-only
/* Seed pattern: a slice header and length shared by an appending task
 * and a reader; the fixed variant holds a mutex around both. */
#include "mntest.h"

struct slice {
	int *p;
	size_t len, cap;
};

static int store[16];
static struct slice s = { store, 0, 16 };
static mn_mutex mu;

static void append(void *arg)
{
	if (!racy)
		mn_mutex_lock(&mu);
	s.p[s.len] = 7;
	s.len++; // mark:first
	if (!racy)
		mn_mutex_unlock(&mu);
	step();
}

static int test_main(void *arg)
{
	size_t n;

	mn_go(append, NULL);
	step();
	if (!racy)
		mn_mutex_lock(&mu);
	n = s.len; // mark:second
	if (!racy)
		mn_mutex_unlock(&mu);
	return n != 1;
}

MNTEST_MAIN(2)
