// SPDX-License-Identifier: GPL-2.0-only
/* Contexts: a cancel happens before Done is observed (a receive from
 * mn_ctx_done that sees it closed, or mn_ctx_err); the racy variant
 * writes after its cancel. */
#include "mntest.h"

static int x;
static mn_ctx *ctx;

static void child(void *arg)
{
	if (racy)
		mn_ctx_cancel(ctx);
	x = 1; // mark:first
	if (!racy)
		mn_ctx_cancel(ctx);
	step();
}

static int test_main(void *arg)
{
	ctx = mn_ctx_with_cancel(mn_ctx_background());
	mn_go(child, NULL);
	mn_chan_recv(mn_ctx_done(ctx), NULL);
	if (mn_ctx_err(ctx) != MN_CTX_CANCELED)
		return 2;
	step();
	x++; // mark:second
	mn_ctx_release(ctx);
	return 0;
}

MNTEST_MAIN(2)
