// SPDX-License-Identifier: GPL-2.0-only
/*
 * For sampling (MNRACE_OPTIONS=sample=P, docs/mnrace.md): the same race
 * made ROUNDS times.  Each round: the main task writes x, the child
 * reads it, with only the invisible barrier between (no edge, and no
 * event of the sampling clock: both accesses fall in one period), then
 * each makes TICKS function calls, events of the sampling clock, so the
 * next round is in a later period (TICKS is at least the default
 * sample_period).  In "norace" the write is published by sem_post and
 * the read comes after sem_wait, with TICKS calls between the write and
 * the post and between the wait and the read: the write, the edge and
 * the read fall in different periods, sampled or not, and the edge must
 * count whether or not its period is sampled.  In both, the read comes
 * before the next round's write by a second semaphore (back): the one
 * race is the write against the read of its round.
 */
#include <semaphore.h>

#include "racetest.h"

#define ROUNDS	1000
#define TICKS	1024

static long x;
static sem_t s, back;

/* The racy write, one call down: the report's earlier stack is two
 * frames, the second rebuilt from the history of a sampled window. */
__attribute__((noinline)) static void put(long v)
{
	x = v; // mark:first
}

/* A function call the pass instruments (it has an access): an event. */
__attribute__((noinline)) static void tick(long *c)
{
	(*c)++;
}

static void ticks(long *c)
{
	for (int i = 0; i < TICKS; i++)
		tick(c);
}

static void *child(void *arg)
{
	long c = 0, sum = 0;

	for (int i = 0; i < ROUNDS; i++) {
		step();
		if (!racy) {
			sem_wait(&s);
			ticks(&c);
		}
		step();
		sum += x; // mark:second
		step();
		sem_post(&back);
		if (racy)
			ticks(&c);
	}
	return (void *)(sum + c);	/* c used: the calls stay */
}

int main(int argc, char **argv)
{
	pthread_t t;
	long c = 0;
	void *sum;

	racetest_init(argc, argv, 2);
	sem_init(&s, 0, 0);
	sem_init(&back, 0, 0);
	t = spawn(child, NULL);
	for (int i = 0; i < ROUNDS; i++) {
		step();
		put(i); // mark:put
		if (!racy) {
			ticks(&c);
			sem_post(&s);
		}
		step();
		step();
		sem_wait(&back);
		if (racy)
			ticks(&c);
	}
	pthread_join(t, &sum);
	printf("%ld %ld\n", (long)sum, c);
	return 0;
}
