// SPDX-License-Identifier: GPL-2.0-only
/* Seed pattern: a context value used after cancel.  The owner cancels
 * and reuses the request the context carries while the handler, woken
 * by Done, still reads it; the fixed owner waits for the handler first. */
#include "mntest.h"

struct request {
	int id;
};

static const char key[] = "request";
static struct request req = { 7 };
static mn_ctx *ctx;
static mn_waitgroup wg;

static void handler(void *arg)
{
	struct request *r = mn_ctx_value(ctx, key);

	mn_chan_recv(mn_ctx_done(ctx), NULL);
	if (racy)
		step();
	printf("%d\n", r->id); // mark:second
	if (racy)
		step();
	else
		mn_wg_done(&wg);
}

static int test_main(void *arg)
{
	mn_ctx *base = mn_ctx_with_cancel(mn_ctx_background());

	ctx = mn_ctx_with_value(base, key, &req);
	if (!racy)
		mn_wg_add(&wg, 1);
	mn_go(handler, NULL);
	mn_ctx_cancel(base);
	if (!racy)
		mn_wg_wait(&wg);
	req.id = 0; // mark:first
	if (racy) {
		step();
		step();		/* the handler is done */
	}
	return 0;
}

MNTEST_MAIN(2)
