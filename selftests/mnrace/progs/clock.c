// SPDX-License-Identifier: GPL-2.0-only
/* pthread_mutex_clocklock (glibc 2.30) makes the edge lock makes: an
 * unlock before the next clocklock of the same mutex; the racy variant
 * clocklocks another mutex. */
#define _GNU_SOURCE	/* the clock-taking forms */
#include <time.h>

#include "racetest.h"

int x;
pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER, other = PTHREAD_MUTEX_INITIALIZER;

static void *child(void *arg)
{
	pthread_mutex_lock(&m);
	x = 1; // mark:first
	pthread_mutex_unlock(&m);
	step();
	return NULL;
}

int main(int argc, char **argv)
{
	struct timespec ts;
	pthread_t t;

	racetest_init(argc, argv, 2);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += 3600;
	t = spawn(child, NULL);
	step();
	if (pthread_mutex_clocklock(racy ? &other : &m, CLOCK_MONOTONIC, &ts))
		return 2;
	x++; // mark:second
	pthread_mutex_unlock(racy ? &other : &m);
	pthread_join(t, NULL);
	return 0;
}
