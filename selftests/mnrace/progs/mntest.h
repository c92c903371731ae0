/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the mnrace test programs on libmn share (as progs/racetest.h for
 * pthreads).  Each program is run as "PROG race" and "PROG norace": the
 * racy variant makes the accesses marked "mark:first" and "mark:second"
 * with no edge between them, always in that order; the race-free variant
 * puts the libmn edge under test between the same two accesses.
 * selftests/mnrace/mnrace_test.sh reads the marks' lines from the source.
 *
 * step() orders tasks without synchronising them: a barrier built from
 * relaxed atomics (no edge, in mnrace as in TSan) that yields while it
 * waits, so it works with one P (MN_PROCS=1) too.
 */
#ifndef MNTEST_H
#define MNTEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mn.h>

static int racy;
static unsigned step_n, step_arrived, step_gen;

static int test_main(void *arg);

/* The variant from argv, the barrier for @n tasks, then test_main as
 * libmn's main task. */
static inline int mntest_run(int argc, char **argv, unsigned n)
{
	if (argc != 2 || (strcmp(argv[1], "race") && strcmp(argv[1], "norace"))) {
		fprintf(stderr, "usage: %s race|norace\n", argv[0]);
		exit(2);
	}
	racy = !strcmp(argv[1], "race");
	step_n = n;
	return mn_main(test_main, NULL);
}

#define MNTEST_MAIN(n) \
	int main(int argc, char **argv) { return mntest_run(argc, argv, (n)); }

/* Everyone waits here; no happens-before comes out of it. */
static inline void step(void)
{
	unsigned gen = __atomic_load_n(&step_gen, __ATOMIC_RELAXED);

	if (__atomic_add_fetch(&step_arrived, 1, __ATOMIC_RELAXED) == step_n) {
		__atomic_store_n(&step_arrived, 0, __ATOMIC_RELAXED);
		__asm__ volatile("" ::: "memory");	/* reset, then release the others */
		__atomic_store_n(&step_gen, gen + 1, __ATOMIC_RELAXED);
		return;
	}
	while (__atomic_load_n(&step_gen, __ATOMIC_RELAXED) == gen)
		mn_yield();
}

#endif
