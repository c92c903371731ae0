// SPDX-License-Identifier: GPL-2.0-only
/* Two atomic accesses never race, whatever their orders; an atomic store
 * and a plain read of the same variable do (the racy variant reads it
 * plainly), and the report says which one was atomic. */
#include <stdatomic.h>

#include "racetest.h"

_Atomic int v;

static void *child(void *arg)
{
	atomic_store_explicit(&v, 1, memory_order_relaxed); // mark:first
	step();
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;
	int got;

	racetest_init(argc, argv, 2);
	t = spawn(child, NULL);
	step();
	if (racy)
		got = *(int *)&v; // mark:second
	else
		got = atomic_load_explicit(&v, memory_order_relaxed); // mark:norace
	printf("%d\n", got);
	pthread_join(t, NULL);
	return 0;
}
