// SPDX-License-Identifier: GPL-2.0-only
/* Seed pattern: parallel table-driven tests sharing state.  Each case
 * runs in its own task; the racy cases format into one shared buffer,
 * the fixed ones into their own. */
#include "mntest.h"

struct tcase {
	const char *name;
	int in;
	char buf[16];
};

static struct tcase cases[] = { { "one", 1 }, { "two", 2 } };
static char shared[16];
static mn_waitgroup wg;

static void run_case(struct tcase *tc)
{
	char *out = racy ? shared : tc->buf;

	out[0] = (char)('0' + tc->in); // mark:first
}

static void first_case(void *arg)
{
	run_case(&cases[0]);
	step();
	mn_wg_done(&wg);
}

static void second_case(void *arg)
{
	step();
	run_case(&cases[1]);
	mn_wg_done(&wg);
}

static int test_main(void *arg)
{
	mn_wg_add(&wg, 2);
	mn_go(first_case, NULL);
	mn_go(second_case, NULL);
	mn_wg_wait(&wg);
	return 0;
}

MNTEST_MAIN(2)
