// SPDX-License-Identifier: GPL-2.0-only
/* mnrace_release/mnrace_acquire (include/mnrace.h): a handoff mnrace
 * cannot see (a relaxed flag) becomes an edge when annotated; without the
 * annotations (the racy variant) it is none. */
#include <stdatomic.h>

#include "racetest.h"

int x;
atomic_int flag;

static void *child(void *arg)
{
	x = 1; // mark:first
	if (!racy)
		mnrace_release(&flag);
	atomic_store_explicit(&flag, 1, memory_order_relaxed);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;

	racetest_init(argc, argv, 1);
	t = spawn(child, NULL);
	while (!atomic_load_explicit(&flag, memory_order_relaxed))
		;
	if (!racy)
		mnrace_acquire(&flag);
	printf("%d\n", x); // mark:second
	pthread_join(t, NULL);
	return 0;
}
