// SPDX-License-Identifier: GPL-2.0-only
/*
 * A thread that takes over the slot of a thread that ended still races
 * with it: the cells the first one left carry the slot the second one
 * now holds, and they are not the second one's own.  255 threads that
 * block in sem_wait hold slots 1-255 (main holds 0: the 256 fresh ones),
 * so the first thread gets a new slot and, once it ended, the second
 * thread gets that very slot back from the queue of free ones.  The
 * kernel is the oracle for "ended" (its /proc/self/task entry is gone);
 * the race-free twin joins the first thread instead.
 */
#include <semaphore.h>

#include "racetest.h"

#define HOLDERS 255

int x;
static pid_t first_tid;
static unsigned holders_up;
static sem_t release;

static void *holder(void *arg)
{
	__atomic_add_fetch(&holders_up, 1, __ATOMIC_RELAXED);
	sem_wait(&release);
	return NULL;
}

static void *first(void *arg)
{
	thread_say_tid(&first_tid);
	x = 1; // mark:first
	return NULL;
}

static void *second(void *arg)
{
	x = 2; // mark:second
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t h[HOLDERS], a, b;

	racetest_init(argc, argv, 1);
	sem_init(&release, 0, 0);
	for (int i = 0; i < HOLDERS; i++)
		h[i] = spawn(holder, NULL);
	while (__atomic_load_n(&holders_up, __ATOMIC_RELAXED) < HOLDERS)
		usleep(1000);
	a = spawn(first, NULL);
	if (racy)
		thread_gone(&first_tid);
	else
		pthread_join(a, NULL);
	b = spawn(second, NULL);
	pthread_join(b, NULL);
	for (int i = 0; i < HOLDERS; i++)
		sem_post(&release);
	for (int i = 0; i < HOLDERS; i++)
		pthread_join(h[i], NULL);
	if (racy)
		pthread_join(a, NULL);
	return 0;
}
