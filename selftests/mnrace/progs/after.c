// SPDX-License-Identifier: GPL-2.0-only
/* A thread that starts after another one ended still races with it:
 * ending is no edge to a thread that was not joined with it (an ended
 * thread's slot must not pass its accesses to the next owner as if they
 * were its own).  The kernel is the oracle for "ended": the first
 * thread's /proc/self/task entry is gone before the second is created;
 * the race-free twin joins the first thread instead. */

#include "racetest.h"

int x;
static pid_t first_tid;

static void *first(void *arg)
{
	thread_say_tid(&first_tid);
	x = 1; // mark:first
	return NULL;
}

static void *second(void *arg)
{
	x = 2; // mark:second
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t a, b;

	racetest_init(argc, argv, 1);
	a = spawn(first, NULL);
	if (racy)
		thread_gone(&first_tid);
	else
		pthread_join(a, NULL);
	b = spawn(second, NULL);
	pthread_join(b, NULL);
	if (racy)
		pthread_join(a, NULL);
	return 0;
}
