// SPDX-License-Identifier: GPL-2.0-only
/* Read-modify-write atomics: a fetch_add with acq_rel on both sides is an
 * edge from the first to the second; with relaxed (the racy variant) it
 * is none.  The reader waits for the count, so the order is fixed. */
#include <stdatomic.h>

#include "racetest.h"

int x;
atomic_long count;

static void *child(void *arg)
{
	x = 1; // mark:first
	atomic_fetch_add_explicit(&count, 1, racy ? memory_order_relaxed : memory_order_acq_rel);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;
	long one = 1;

	racetest_init(argc, argv, 1);
	t = spawn(child, NULL);
	/* A CAS 1 -> 2 that succeeds only after the child's add. */
	while (!atomic_compare_exchange_weak_explicit(&count, &one, 2,
			racy ? memory_order_relaxed : memory_order_acq_rel,
			memory_order_relaxed))
		one = 1;
	printf("%d\n", x); // mark:second
	pthread_join(t, NULL);
	return 0;
}
