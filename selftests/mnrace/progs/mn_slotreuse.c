// SPDX-License-Identifier: GPL-2.0-only
/*
 * Slots are recycled: a task that ended gives its slot back, and after
 * 256 have been taken the oldest free one goes to the next task.  The
 * ended task's write must still race with a third task that has no edge
 * from it, after its slot went to another task (300 tasks start and end
 * in between, more than there are fresh slots).  The race-free twin
 * orders the write before the read through a buffered channel.
 */
#include "mntest.h"

#define FILLERS 300

static int x;
static mn_chan *pub;
static unsigned a_done, fillers_done;

static void writer(void *arg)
{
	int v = 1;

	x = 1; // mark:first
	if (!racy)
		mn_chan_send(pub, &v);	/* buffered: does not wait */
	__atomic_store_n(&a_done, 1, __ATOMIC_RELAXED);
}

static void filler(void *arg)
{
	__atomic_add_fetch(&fillers_done, 1, __ATOMIC_RELAXED);
}

static void reader(void *arg)
{
	int v;

	if (!racy)
		mn_chan_recv(pub, &v);
	printf("%d\n", x); // mark:second
	step();
}

static int test_main(void *arg)
{
	pub = mn_chan_make(sizeof(int), 1);
	mn_go(writer, NULL);
	while (!__atomic_load_n(&a_done, __ATOMIC_RELAXED))
		mn_yield();
	/* One at a time: each ends (its slot queued) before the next. */
	for (unsigned i = 1; i <= FILLERS; i++) {
		mn_go(filler, NULL);
		while (__atomic_load_n(&fillers_done, __ATOMIC_RELAXED) < i)
			mn_yield();
	}
	mn_go(reader, NULL);
	step();
	return 0;
}

MNTEST_MAIN(2)
