// SPDX-License-Identifier: GPL-2.0-only
/* mn_read's buffer is written by the task that reads: another task
 * reading it after mn_read returned races unless an edge orders them
 * (here a channel send after the read, in the race-free variant). */
#include <unistd.h>

#include "mntest.h"

static char buf[8];
static mn_chan *c;
static int fds[2];

static void child(void *arg)
{
	int v = 1;

	if (racy)
		mn_chan_send(c, &v);
	mn_read(fds[0], buf, sizeof(buf)); // mark:first
	if (!racy)
		mn_chan_send(c, &v);
	step();
}

static int test_main(void *arg)
{
	int v;

	if (pipe(fds) || mn_write(fds[1], "abcdefgh", 8) != 8)
		return 2;
	c = mn_chan_make(sizeof(int), 0);
	mn_go(child, NULL);
	mn_chan_recv(c, &v);
	step();
	printf("%c\n", buf[3]); // mark:second
	return 0;
}

MNTEST_MAIN(2)
