// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of user/nstaint/agent/lineq (the export queue): a push to a full
 * queue fails at once instead of waiting, the reserved room is kept, the
 * order is kept, and a close hands over what is left, then ends; across
 * threads, every line pushed is popped once, in order.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kselftest_harness.h"
#include "../../user/nstaint/agent/lineq.h"

static char *line(int i)
{
	char *s;

	return asprintf(&s, "%d\n", i) < 0 ? NULL : s;
}

/* Full means full: the fourth push of a 3-line queue fails, without
 * waiting (the consumer never runs here), and room 2 leaves one free. */
TEST(full_fails_at_once)
{
	struct lineq *q = lineq_new(3);
	char *l = line(9), *got;
	size_t len;

	ASSERT_NE(NULL, q);
	EXPECT_TRUE(lineq_push(q, line(1), 2, 2));
	EXPECT_TRUE(lineq_push(q, line(2), 2, 2));
	EXPECT_FALSE(lineq_push(q, l, 2, 2));	/* 1 free, 2 asked */
	EXPECT_TRUE(lineq_push(q, line(3), 2, 1));
	EXPECT_FALSE(lineq_push(q, l, 2, 1));
	EXPECT_EQ(3, lineq_len(q));
	EXPECT_EQ(3, lineq_cap(q));
	for (int i = 1; i <= 3; i++) {
		char want[8];

		ASSERT_TRUE(lineq_pop(q, &got, &len));
		snprintf(want, sizeof(want), "%d\n", i);
		EXPECT_STREQ(want, got);
		free(got);
	}
	lineq_close(q);
	EXPECT_FALSE(lineq_pop(q, &got, &len));
	EXPECT_FALSE(lineq_push(q, l, 2, 1));	/* closed */
	free(l);
	lineq_free(q);
}

static void *consume(void *arg)
{
	struct lineq *q = arg;
	long next = 0, bad = 0;
	size_t len;
	char *got;

	while (lineq_pop(q, &got, &len)) {
		bad += atol(got) != next++;
		free(got);
	}
	return (void *)(bad ? -1 : next);
}

/* A producer that retries on full and a consumer thread: 100000 lines
 * pass, each once and in order, and close ends the consumer. */
TEST(threads_keep_order)
{
	struct lineq *q = lineq_new(16);
	pthread_t t;
	void *ret;

	ASSERT_NE(NULL, q);
	ASSERT_EQ(0, pthread_create(&t, NULL, consume, q));
	for (int i = 0; i < 100000; i++) {
		char *l = line(i);

		while (!lineq_push(q, l, strlen(l), 1))
			sched_yield();
	}
	lineq_close(q);
	ASSERT_EQ(0, pthread_join(t, &ret));
	EXPECT_EQ(100000, (long)ret);
	lineq_free(q);
}

TEST_HARNESS_MAIN
