// SPDX-License-Identifier: GPL-2.0-only
/* sem_clockwait (glibc 2.30) makes the edge sem_wait makes: a post
 * before the wait that takes it; the racy variant writes after posting. */
#define _GNU_SOURCE	/* the clock-taking forms */
#include <semaphore.h>
#include <time.h>

#include "racetest.h"

int x;
sem_t s;

static void *child(void *arg)
{
	if (!racy)
		x = 1; // mark:norace
	sem_post(&s);
	if (racy)
		x = 2; // mark:first
	step();
	return NULL;
}

int main(int argc, char **argv)
{
	struct timespec ts;
	pthread_t t;

	racetest_init(argc, argv, 2);
	sem_init(&s, 0, 0);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += 3600;
	t = spawn(child, NULL);
	if (sem_clockwait(&s, CLOCK_MONOTONIC, &ts))
		return 2;
	step();
	printf("%d\n", x); // mark:second
	pthread_join(t, NULL);
	return 0;
}
