// SPDX-License-Identifier: GPL-2.0-only
/* rwlock: a write unlock happens before a later read lock; a read unlock
 * does not happen before another reader, so a write made under a read
 * lock (the racy variant) races with the next reader. */
#include "racetest.h"

int x;
pthread_rwlock_t l = PTHREAD_RWLOCK_INITIALIZER;

static void *child(void *arg)
{
	if (racy)
		pthread_rwlock_rdlock(&l);
	else
		pthread_rwlock_wrlock(&l);
	x = 1; // mark:first
	pthread_rwlock_unlock(&l);
	step();
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;

	racetest_init(argc, argv, 2);
	t = spawn(child, NULL);
	step();
	pthread_rwlock_rdlock(&l);
	printf("%d\n", x); // mark:second
	pthread_rwlock_unlock(&l);
	pthread_join(t, NULL);
	return 0;
}
