// SPDX-License-Identifier: GPL-2.0-only
/*
 * Slots are taken from tasks that do not run: with 600 libmn tasks
 * blocked at once (more than the 256 slots), blocked and yielding tasks
 * lose their slots and take others when they run again, the writer
 * among them (it yields while the others start, after the slots ran
 * short: from then on a task switched out can lose its slot).  Its write must still race with a reader that has no edge
 * from it: a pthread (never without its slot, so it never inherits a
 * slot's past) created before the write, waiting with relaxed atomics.
 * The writer's own writes before and after it lost its slot are no race
 * with each other (y: a second report would fail the test).  The
 * race-free twin publishes the write with a release store that the
 * reader acquires.
 */
#include <pthread.h>
#include <sched.h>

#include "mntest.h"

#define FILLERS 600

static int x, y;
static mn_chan *wake;
static mn_waitgroup wg;
static unsigned written, fillers_up, read_done;

static void writer(void *arg)
{
	int v;

	y = 1;
	x = 1; // mark:first
	__atomic_store_n(&written, 1, racy ? __ATOMIC_RELAXED : __ATOMIC_RELEASE);
	while (__atomic_load_n(&fillers_up, __ATOMIC_RELAXED) < FILLERS)
		mn_yield();	/* switched out: its slot can go */
	mn_chan_recv(wake, &v);
	y = 2;			/* on whatever slot it has now */
	mn_wg_done(&wg);
}

static void *reader(void *arg)
{
	while (__atomic_load_n(&fillers_up, __ATOMIC_RELAXED) < FILLERS ||
	       !__atomic_load_n(&written, racy ? __ATOMIC_RELAXED : __ATOMIC_ACQUIRE))
		sched_yield();
	printf("%d\n", x); // mark:second
	__atomic_store_n(&read_done, 1, __ATOMIC_RELAXED);
	return NULL;
}

static void filler(void *arg)
{
	int v;

	__atomic_add_fetch(&fillers_up, 1, __ATOMIC_RELAXED);
	mn_chan_recv(wake, &v);
	mn_wg_done(&wg);
}

static int test_main(void *arg)
{
	pthread_t r;

	wake = mn_chan_make(sizeof(int), 0);
	mn_wg_add(&wg, FILLERS + 1);
	if (pthread_create(&r, NULL, reader, NULL))
		return 1;
	mn_go(writer, NULL);
	for (unsigned i = 0; i < FILLERS; i++)
		mn_go(filler, NULL);
	while (!__atomic_load_n(&read_done, __ATOMIC_RELAXED))
		mn_yield();
	mn_chan_close(wake);	/* everyone runs again, on whatever slot */
	mn_wg_wait(&wg);
	pthread_join(r, NULL);
	printf("y %d\n", y);
	return 0;
}

MNTEST_MAIN(1)
