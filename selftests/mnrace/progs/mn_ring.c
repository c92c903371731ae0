// SPDX-License-Identifier: GPL-2.0-only
/*
 * Two races for selftests/mnrace/ring_test.c, which reads this
 * program's report ring: a child task writes a global and a heap word,
 * then the main task reads both, with no edge ("race") or after the
 * child's send on a channel ("norace").  Before racing it prints where
 * things are (&g, the block, the four functions) and waits for a byte
 * on stdin: by then the test holds the ring open.  Each task prints the
 * thread it made its accesses on.  Each access is in a
 * function of its own, so the test can tell its pcs apart by the ELF
 * symbol table.
 */
#define _GNU_SOURCE
#include <unistd.h>

#include "mntest.h"

int g;
long *blk;
static mn_chan *done;

__attribute__((noinline, used)) void write_global(void)
{
	g = 1; // mark:first
}

__attribute__((noinline, used)) void write_heap(void)
{
	blk[3] = 2; // mark:first2
}

__attribute__((noinline, used)) int read_global(void)
{
	return g; // mark:second
}

__attribute__((noinline, used)) long read_heap(void)
{
	return blk[3]; // mark:second2
}

static void child(void *arg)
{
	int v = 1;

	step();
	write_global();
	write_heap();
	printf("child_tid %d\n", gettid());	/* no yield since the writes */
	if (!racy)
		mn_chan_send(done, &v);
	step();
}

static int test_main(void *arg)
{
	char c;
	int v;

	blk = malloc(64);
	done = mn_chan_make(sizeof(int), 1);
	printf("g %p blk %p write_global %p write_heap %p read_global %p read_heap %p\n",
	       (void *)&g, (void *)blk, (void *)write_global, (void *)write_heap,
	       (void *)read_global, (void *)read_heap);
	fflush(stdout);
	if (read(0, &c, 1) != 1)
		return 3;
	mn_go(child, NULL);
	step();
	step();
	if (!racy)
		mn_chan_recv(done, &v);
	v = read_global();
	printf("%d %ld main_tid %d\n", v, read_heap(), gettid());
	return 0;
}

MNTEST_MAIN(2)
