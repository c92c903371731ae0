// SPDX-License-Identifier: GPL-2.0-only
/* Atomics: a release store read by an acquire load is an edge; the same
 * handoff with relaxed orders (the racy variant) is none.  The reader
 * spins on the flag, so the order of the two accesses is fixed either way. */
#include <stdatomic.h>

#include "racetest.h"

int x;
atomic_int flag;

static void *child(void *arg)
{
	x = 1; // mark:first
	atomic_store_explicit(&flag, 1, racy ? memory_order_relaxed : memory_order_release);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;

	racetest_init(argc, argv, 1);
	t = spawn(child, NULL);
	while (!atomic_load_explicit(&flag, racy ? memory_order_relaxed : memory_order_acquire))
		;
	printf("%d\n", x); // mark:second
	pthread_join(t, NULL);
	return 0;
}
