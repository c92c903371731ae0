// SPDX-License-Identifier: GPL-2.0-only
/* Spinlock: as the mutex, unlock before the next lock of the same lock. */
#include "racetest.h"

int x;
pthread_spinlock_t s, other;

static void *child(void *arg)
{
	pthread_spin_lock(&s);
	x = 1; // mark:first
	pthread_spin_unlock(&s);
	step();
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;

	racetest_init(argc, argv, 2);
	pthread_spin_init(&s, 0);
	pthread_spin_init(&other, 0);
	t = spawn(child, NULL);
	step();
	pthread_spin_lock(racy ? &other : &s);
	x++; // mark:second
	pthread_spin_unlock(racy ? &other : &s);
	pthread_join(t, NULL);
	return 0;
}
