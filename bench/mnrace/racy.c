// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench/mnrace's racy workload, for the detection rate of sampling
 * (bench/mnrace/sample.sh): two threads do ROUNDS rounds of work (WORK
 * calls each, a lock of a mutex of their own every 64: the events that
 * end sampling periods), and at the end of each round thread 0 writes
 * progress and thread 1 reads it, with no edge between the threads at
 * all: one race, made ROUNDS times over the run.  The checksum printed
 * is of the work only, the same in every build.
 */
#include <pthread.h>
#include <stdio.h>

#define ROUNDS	100
#define WORK	20000

long progress;	/* extern: the compiler keeps every access */
long seen;
static pthread_mutex_t mine[2] = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER };

/* A call with an access: the pass instruments it (an event). */
__attribute__((noinline)) static void step(unsigned long *x)
{
	*x = *x * 6364136223846793005ul + 1442695040888963407ul;
}

static void *worker(void *arg)
{
	long id = (long)arg, sum = 0;
	unsigned long x = id;

	for (int r = 0; r < ROUNDS; r++) {
		for (int i = 0; i < WORK; i++) {
			step(&x);
			if (i % 64 == 0) {
				pthread_mutex_lock(&mine[id]);
				pthread_mutex_unlock(&mine[id]);
			}
		}
		if (id == 0)
			progress = r;		/* the race: written here... */
		else
			sum += progress;	/* ...and read here, no edge */
	}
	if (id)
		seen = sum;
	return (void *)x;
}

int main(void)
{
	pthread_t t[2];
	unsigned long sum = 0;

	for (long i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	for (int i = 0; i < 2; i++) {
		void *x;

		pthread_join(t[i], &x);
		sum ^= (unsigned long)x;
	}
	printf("racy %lx\n", sum);
	return 0;
}
