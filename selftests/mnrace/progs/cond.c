// SPDX-License-Identifier: GPL-2.0-only
/* Condition variable: a write made under the mutex before signalling
 * happens before the waiter's return; one made after the unlock (the
 * racy variant) does not, although the waiter has woken. */
#include "racetest.h"

int x, ready;
pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t c = PTHREAD_COND_INITIALIZER;

static void *child(void *arg)
{
	pthread_mutex_lock(&m);
	if (!racy)
		x = 1; // mark:norace
	ready = 1;
	pthread_cond_signal(&c);
	pthread_mutex_unlock(&m);
	if (racy)
		x = 2; // mark:first
	step();
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;

	racetest_init(argc, argv, 2);
	t = spawn(child, NULL);
	pthread_mutex_lock(&m);
	while (!ready)
		pthread_cond_wait(&c, &m);
	pthread_mutex_unlock(&m);
	step();
	printf("%d\n", x); // mark:second
	pthread_join(t, NULL);
	return 0;
}
