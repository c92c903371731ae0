// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench/mnrace's pthread workloads, one per run (argv[1]), built three
 * ways (plain, clang's TSan, mnrace: bench/mnrace/build.mk).  Each is
 * race-free, so every build does the same work; run.sh times the whole
 * process and reads its maximum RSS.  The checksum printed keeps the
 * compiler from dropping the work.
 *   mutex_heavy:   4 threads increment one counter under one mutex
 *   private_array: 4 threads each sweep their own 256 KiB array
 *   malloc_heavy:  4 threads malloc, touch and free blocks of 16..4096 B
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THREADS 4

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned long counter;

static void *mutex_heavy(void *arg)
{
	for (int i = 0; i < 1000000; i++) {
		pthread_mutex_lock(&mu);
		counter++;
		pthread_mutex_unlock(&mu);
	}
	return NULL;
}

#define ARRAY_N	(32 * 1024)	/* longs: 256 KiB per thread */

/* A sweep with a carried recurrence (no vectorising): every element read
 * and written, as array code does; all of it the thread's own. */
static void *private_array(void *arg)
{
	long *a = calloc(ARRAY_N, sizeof(*a));
	unsigned long carry = (unsigned long)arg;

	for (int pass = 0; pass < 1600; pass++)
		for (size_t i = 0; i < ARRAY_N; i++) {
			carry = carry * 6364136223846793005ul + (unsigned long)a[i];
			a[i] = (long)(carry >> 7);
		}
	free(a);
	return (void *)carry;
}

static void *malloc_heavy(void *arg)
{
	uint32_t x = 2463534242u + (uint32_t)(uintptr_t)arg;
	void *keep[64] = { 0 };
	long sum = 0;

	for (int i = 0; i < 500000; i++) {
		size_t n;
		int k;

		x ^= x << 13, x ^= x >> 17, x ^= x << 5;	/* xorshift32 */
		n = 16 + x % 4081;
		k = (x >> 12) % 64;
		free(keep[k]);
		keep[k] = malloc(n);
		memset(keep[k], i, 16);
		sum += ((char *)keep[k])[i & 15];
	}
	for (int k = 0; k < 64; k++)
		free(keep[k]);
	return (void *)sum;
}

static const struct {
	const char *name;
	void *(*fn)(void *);
} workloads[] = {
	{ "mutex_heavy", mutex_heavy },
	{ "private_array", private_array },
	{ "malloc_heavy", malloc_heavy },
};

int main(int argc, char **argv)
{
	for (size_t w = 0; argc == 2 && w < sizeof(workloads) / sizeof(workloads[0]); w++) {
		pthread_t t[THREADS];
		long sum = 0;
		void *r;

		if (strcmp(argv[1], workloads[w].name))
			continue;
		for (long i = 0; i < THREADS; i++)
			if (pthread_create(&t[i], NULL, workloads[w].fn, (void *)i)) {
				perror("pthreads: pthread_create");
				return 1;
			}
		for (int i = 0; i < THREADS; i++) {
			pthread_join(t[i], &r);
			sum += (long)r;
		}
		printf("%s %ld %lu\n", argv[1], sum, counter);
		return 0;
	}
	fprintf(stderr, "usage: pthreads mutex_heavy|private_array|malloc_heavy\n");
	return 2;
}
