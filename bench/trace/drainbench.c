// SPDX-License-Identifier: GPL-2.0-only
/*
 * Drain rate of the pipeline's drain stage: a BPF program fills a ring
 * buffer of the default size with nstaint records (fill.bpf.c), then the
 * ring is consumed the way the drain thread consumes the events ring
 * (libbpf's ring buffer callback copying each record into the pipeline's
 * queue, user/nstaint/pipeline/queue.c), with a consumer thread popping
 * the queue.  Only the drain is timed.  Prints records/s, median of the
 * rounds.  Usage: drainbench [ROUNDS]
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "pipeline/queue.h"
#include "fill.skel.h"

/* Records that fit the 4 MiB ring, each behind its 8-byte header. */
#define PER_FILL ((int)((4096 * 1024) / ((sizeof(struct nstaint_event) + 8 + 7) / 8 * 8)) - 1)

static struct queue *q;
static _Atomic int done;
static _Atomic unsigned long long popped;

static int on_record(void *ctx, void *data, size_t size)
{
	struct qitem it = { .kind = QITEM_RECORD };

	if (size < sizeof(it.ev))
		return 0;
	memcpy(&it.ev, data, sizeof(it.ev));
	queue_push(q, &it);
	return 0;
}

static void *consumer(void *arg)
{
	struct qitem it;

	while (!atomic_load(&done) || queue_len(q)) {
		if (queue_pop(q, &it))
			atomic_fetch_add_explicit(&popped, 1,
						  memory_order_relaxed);
		else
			queue_wait(q, 10);
	}
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 21;
	LIBBPF_OPTS(bpf_test_run_opts, run);
	double *rate = calloc(rounds, sizeof(*rate));
	unsigned long long total = 0;
	struct ring_buffer *rb;
	struct fill_bpf *skel;
	pthread_t th;
	int i, n;

	if (rounds <= 0 || !rate)
		return 2;
	skel = fill_bpf__open();
	if (!skel)
		return perror("drainbench: open"), 1;
	skel->rodata->nrec = PER_FILL;
	if (fill_bpf__load(skel))
		return perror("drainbench: load (root?)"), 1;
	q = queue_new(65536);
	rb = ring_buffer__new(bpf_map__fd(skel->maps.ring), on_record, NULL,
			      NULL);
	if (!q || !rb)
		return perror("drainbench: ring"), 1;
	pthread_create(&th, NULL, consumer, NULL);
	for (i = 0; i < rounds; i++) {
		double t0, t1;

		skel->bss->filled = 0;
		if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.fill),
					   &run))
			return perror("drainbench: fill"), 1;
		t0 = now();
		n = ring_buffer__consume(rb);
		queue_wake(q);
		t1 = now();
		if (n < 0 || (unsigned long long)n != skel->bss->filled) {
			fprintf(stderr, "drainbench: drained %d of %llu\n", n,
				(unsigned long long)skel->bss->filled);
			return 1;
		}
		total += n;
		rate[i] = n / (t1 - t0);
		/* Let the consumer empty the queue between rounds. */
		while (queue_len(q))
			sched_yield();
	}
	atomic_store(&done, 1);
	queue_wake(q);
	pthread_join(th, NULL);
	qsort(rate, rounds, sizeof(*rate), cmp);
	printf("drain rate: %d fills of %d records (%zu bytes each) from a "
	       "4 MiB BPF ring into the pipeline queue: median %.0f records/s "
	       "(min %.0f, max %.0f); %llu drained, %llu popped, %llu dropped "
	       "(target >= 1000000/s)\n", rounds, PER_FILL,
	       sizeof(struct nstaint_event), rate[rounds / 2], rate[0],
	       rate[rounds - 1], total, (unsigned long long)popped,
	       queue_dropped(q));
	ring_buffer__free(rb);
	fill_bpf__destroy(skel);
	queue_free(q);
	return 0;
}
