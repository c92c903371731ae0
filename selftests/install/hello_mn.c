// SPDX-License-Identifier: GPL-2.0-only
/*
 * A libmn program built by install_test.sh against the installed header
 * and pkg-config file: 100 tasks each send their number over one channel,
 * task 1 sums them.  It prints the sum (5050 when every task ran) and the
 * number of Ps, so the test sees the runtime really scheduled tasks.
 */
#include <mn.h>
#include <stdint.h>
#include <stdio.h>

static mn_chan *ch;

static void sender(void *arg)
{
	int64_t v = (int64_t)(intptr_t)arg;

	mn_chan_send(ch, &v);
}

static int main_task(void *arg)
{
	int64_t v, sum = 0;
	int i;

	ch = mn_chan_make(sizeof(int64_t), 0);
	if (!ch)
		return 1;
	for (i = 1; i <= 100; i++)
		mn_go(sender, (void *)(intptr_t)i);
	for (i = 0; i < 100; i++) {
		mn_chan_recv(ch, &v);
		sum += v;
	}
	mn_chan_free(ch);
	printf("sum=%lld procs=%d\n", (long long)sum, mn_nprocs());
	return 0;
}

int main(void)
{
	return mn_main(main_task, NULL);
}
