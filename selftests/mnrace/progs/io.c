// SPDX-License-Identifier: GPL-2.0-only
/* The buffer of read(2) is written by the caller: a task that fills a
 * buffer from a pipe while another reads it without an edge (the racy
 * variant) races, at the read() call. */
#include <unistd.h>

#include "racetest.h"

char buf[16];
int fds[2];

static void *child(void *arg)
{
	buf[1] = 'x'; // mark:first
	step();
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;

	racetest_init(argc, argv, 2);
	if (pipe(fds) || write(fds[1], "mnrace", 6) != 6)
		return 2;
	t = spawn(child, NULL);
	step();
	if (!racy)
		pthread_join(t, NULL);
	if (read(fds[0], buf, sizeof(buf)) != 6) // mark:second
		return 2;
	if (racy)
		pthread_join(t, NULL);
	return buf[1] != 'n';
}
