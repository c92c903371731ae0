// SPDX-License-Identifier: GPL-2.0-only
/* Mutex: an unlock happens before the next lock of the same mutex; the
 * racy variant locks another mutex, so locking by itself is no edge. */
#include "racetest.h"

int x;
pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER, other = PTHREAD_MUTEX_INITIALIZER;

static void *child(void *arg)
{
	pthread_mutex_lock(&m);
	x = 1; // mark:first
	pthread_mutex_unlock(&m);
	step();
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_mutex_t *mine = &m;
	pthread_t t;

	racetest_init(argc, argv, 2);
	if (racy)
		mine = &other;
	t = spawn(child, NULL);
	step();
	pthread_mutex_lock(mine);
	x++; // mark:second
	pthread_mutex_unlock(mine);
	pthread_join(t, NULL);
	return 0;
}
