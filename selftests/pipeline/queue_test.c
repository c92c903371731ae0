// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pipeline's queue (user/nstaint/pipeline/queue.c): a flood larger
 * than the queue loses only what it reports lost.  Items carry a sequence
 * number; what the consumer sees plus what the queue counts as dropped is
 * every item pushed, and what it sees comes in order with no duplicate.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "kselftest_harness.h"
#include "pipeline/queue.h"

#define CAP	256
#define FLOOD	200000

struct flood {
	struct queue *q;
	_Atomic int done;
	unsigned long long pushed_ok;
};

static void *producer(void *arg)
{
	struct flood *fl = arg;
	struct qitem it = { .kind = QITEM_RECORD };

	for (unsigned long long i = 1; i <= FLOOD; i++) {
		it.ev.count = i;
		fl->pushed_ok += queue_push(fl->q, &it);
		if (!(i % 64))
			queue_wake(fl->q);
	}
	atomic_store(&fl->done, 1);
	queue_wake(fl->q);
	return NULL;
}

/* Nobody pops: exactly the capacity is kept, the rest counted. */
TEST(full_queue_counts_every_drop)
{
	struct queue *q = queue_new(CAP);
	struct qitem it = { .kind = QITEM_RECORD };
	unsigned long long n = 0;

	ASSERT_NE(NULL, q);
	for (int i = 0; i < 1000; i++)
		queue_push(q, &it);
	EXPECT_EQ(CAP, queue_len(q));
	EXPECT_EQ(1000 - CAP, queue_dropped(q));
	while (queue_pop(q, &it))
		n++;
	EXPECT_EQ(CAP, n);
	queue_free(q);
}

/* A producer faster than the consumer: seen + dropped == pushed. */
TEST(flood_loses_only_what_it_reports)
{
	struct flood fl = { .q = queue_new(CAP) };
	unsigned long long seen = 0, last = 0, gaps = 0;
	struct qitem it;
	pthread_t th;

	ASSERT_NE(NULL, fl.q);
	ASSERT_EQ(0, pthread_create(&th, NULL, producer, &fl));
	for (;;) {
		bool done = atomic_load(&fl.done);

		if (!queue_pop(fl.q, &it)) {
			if (done)
				break;
			queue_wait(fl.q, 10);
			continue;
		}
		ASSERT_GT(it.ev.count, last);
		gaps += it.ev.count - last - 1;
		last = it.ev.count;
		seen++;
	}
	pthread_join(th, NULL);
	gaps += FLOOD - last;
	EXPECT_EQ(FLOOD, seen + queue_dropped(fl.q));
	EXPECT_EQ(gaps, queue_dropped(fl.q));
	EXPECT_EQ(fl.pushed_ok, seen);
	TH_LOG("%llu seen, %llu dropped", seen, queue_dropped(fl.q));
	queue_free(fl.q);
}

/* Exec notices are not records: a full queue does not count them. */
TEST(exec_items_not_counted_as_records)
{
	struct queue *q = queue_new(16);
	struct qitem it = { .kind = QITEM_RECORD };

	ASSERT_NE(NULL, q);
	for (int i = 0; i < 16; i++)
		ASSERT_TRUE(queue_push(q, &it));
	it.kind = QITEM_EXEC;
	EXPECT_FALSE(queue_push(q, &it));
	EXPECT_EQ(0, queue_dropped(q));
	queue_free(q);
}

struct pingpong {
	struct queue *q;
	unsigned long long got;
};

#define ROUNDS	20000
/* Longer than the harness lets a test run: a lost wake-up hangs it. */
#define FOREVER_MS	(3600 * 1000)

static void *pong(void *arg)
{
	struct pingpong *pp = arg;
	struct qitem it;

	while (pp->got < ROUNDS) {
		if (queue_pop(pp->q, &it))
			pp->got++;
		else
			queue_wait(pp->q, FOREVER_MS);
	}
	return NULL;
}

/*
 * The consumer sleeps until woken, with no timeout to fall back on: one
 * item at a time, each pushed only once the one before was taken (so
 * the consumer is going to sleep, or asleep, every round), then woken.
 * A wake-up lost in the race between its last look and its sleep would
 * leave it asleep and the test hung (failed by the harness's timeout).
 */
TEST(no_wakeup_lost)
{
	struct pingpong pp = { .q = queue_new(16) };
	struct qitem it = { .kind = QITEM_RECORD };
	pthread_t th;

	ASSERT_NE(NULL, pp.q);
	ASSERT_EQ(0, pthread_create(&th, NULL, pong, &pp));
	for (int i = 0; i < ROUNDS; i++) {
		while (queue_len(pp.q))
			sched_yield();
		ASSERT_TRUE(queue_push(pp.q, &it));
		queue_wake(pp.q);
	}
	pthread_join(th, NULL);
	EXPECT_EQ(ROUNDS, pp.got);
	EXPECT_EQ(0, queue_dropped(pp.q));
	queue_free(pp.q);
}

TEST_HARNESS_MAIN
