// SPDX-License-Identifier: GPL-2.0-only
/* A thread-local variable of task 2 that main reads through a pointer:
 * the report says it is TLS of task 2.  The race-free variant posts a
 * semaphore between the two accesses; task 2 stays alive (invisible
 * barrier) until main has read, so its TLS is still there. */
#include <semaphore.h>
#include <stdatomic.h>

#include "racetest.h"

__thread int tv;
/* Atomic (relaxed: no edge), so handing the pointer over is no race. */
_Atomic(int *) where;
sem_t s;

static void *child(void *arg)
{
	atomic_store_explicit(&where, &tv, memory_order_relaxed);
	tv = 1; // mark:first
	if (!racy)
		sem_post(&s);
	step();
	step();
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;

	racetest_init(argc, argv, 2);
	sem_init(&s, 0, 0);
	t = spawn(child, NULL);
	if (!racy)
		sem_wait(&s);
	step();
	printf("%d\n", *atomic_load_explicit(&where, memory_order_relaxed)); // mark:second
	step();
	pthread_join(t, NULL);
	return 0;
}
