// SPDX-License-Identifier: GPL-2.0-only
/* libmn channels, select and synchronisation, with their misuse errors. */
#include <stdatomic.h>

#include "kselftest_harness.h"
#include "mn_testlib.h"

static mn_waitgroup wg;

static long fan_sum;

static void consumer(void *a)
{
	mn_chan *c = a;
	static mn_mutex mu;
	long s = 0;
	int v;

	while (mn_chan_recv(c, &v))
		s += v;
	mn_mutex_lock(&mu);
	fan_sum += s;
	mn_mutex_unlock(&mu);
	mn_wg_done(&wg);
}

static mn_waitgroup pwg;

static void producer_done(void *a)
{
	mn_chan *c = a;

	for (int i = 1; i <= 1000; i++)
		mn_chan_send(c, &i);
	mn_wg_done(&pwg);
}

static int fan_main(void *a)
{
	mn_chan *c = mn_chan_make(sizeof(int), (size_t)(intptr_t)a);

	fan_sum = 0;
	mn_wg_add(&wg, 8);
	for (int i = 0; i < 8; i++)
		mn_go(consumer, c);
	mn_wg_add(&pwg, 16);
	for (int i = 0; i < 16; i++)
		mn_go(producer_done, c);
	mn_wg_wait(&pwg);
	mn_chan_close(c);	/* ends every consumer's loop */
	mn_wg_wait(&wg);
	mn_chan_free(c);
	return fan_sum == 16L * 500500;
}

/* Fan-out / fan-in: 16 producers, 8 consumers over an unbuffered channel;
 * every value arrives exactly once. */
TEST(fan_in_out_unbuffered)
{
	ASSERT_EQ(1, mn_main(fan_main, (void *)0));
}

/* Same over a buffered channel, with close ending every consumer loop. */
TEST(fan_in_out_buffered)
{
	ASSERT_EQ(1, mn_main(fan_main, (void *)16));
}

static int buffered_main(void *a)
{
	mn_chan *c = mn_chan_make(sizeof(long), 3);
	long v = 0;
	int ok = 1;

	for (long i = 1; i <= 3; i++)
		mn_chan_send(c, &i);	/* does not block */
	ok &= mn_chan_len(c) == 3 && mn_chan_cap(c) == 3;
	mn_chan_close(c);
	for (long i = 1; i <= 3; i++)
		ok &= mn_chan_recv(c, &v) && v == i;	/* drained after close */
	v = 99;
	ok &= !mn_chan_recv(c, &v) && v == 0;	/* closed: ok false, zero value */
	mn_chan_free(c);
	return ok;
}

/* Buffered channels keep FIFO order and are drained after close; then
 * receive reports ok = false and a zero value. */
TEST(buffered_close_and_ok)
{
	ASSERT_EQ(1, mn_main(buffered_main, NULL));
}

static void send_later(void *a)
{
	int v = 7;

	mn_sleep(20000000);
	mn_chan_send(a, &v);
}

static int select_main(void *a)
{
	mn_chan *c1 = mn_chan_make(sizeof(int), 0), *c2 = mn_chan_make(sizeof(int), 0);
	int v = 0, r, ok = 1;
	struct mn_sel_case cs[3] = {
		{ c1, MN_SEL_RECV, &v, false }, { c2, MN_SEL_RECV, &v, false }, { NULL, MN_SEL_RECV, NULL, false },
	};
	int64_t t0;

	ok &= mn_select(cs, 3, 0) == -1;	/* default */
	t0 = mn_now();
	ok &= mn_select(cs, 3, 30000000) == -1;	/* timeout */
	ok &= mn_now() - t0 >= 30000000;
	mn_go(send_later, c2);
	r = mn_select(cs, 3, MN_FOREVER);
	ok &= r == 1 && v == 7 && cs[1].ok;
	mn_chan_close(c1);
	r = mn_select(cs, 2, MN_FOREVER);
	ok &= r == 0 && !cs[0].ok;
	mn_chan_free(c1);
	mn_chan_free(c2);
	return ok;
}

/* select: default when nothing is ready, timeout, the ready case wins,
 * a closed channel's case reports ok = false; a nil channel is never ready. */
TEST(select_default_timeout_ready)
{
	ASSERT_EQ(1, mn_main(select_main, NULL));
}

static int fair_main(void *a)
{
	mn_chan *c1 = mn_chan_make(sizeof(int), 1000), *c2 = mn_chan_make(sizeof(int), 1000);
	int n[2] = { 0, 0 }, v;
	struct mn_sel_case cs[2] = { { c1, MN_SEL_RECV, &v, false }, { c2, MN_SEL_RECV, &v, false } };

	for (int i = 0; i < 1000; i++) {
		mn_chan_send(c1, &i);
		mn_chan_send(c2, &i);
	}
	for (int i = 0; i < 1000; i++)
		n[mn_select(cs, 2, 0)]++;
	mn_chan_free(c1);
	mn_chan_free(c2);
	return n[0] > 400 && n[1] > 400;
}

/* With both cases always ready, select picks each about half the time. */
TEST(select_fairness)
{
	ASSERT_EQ(1, mn_main(fair_main, NULL));
}

static void sel_sender(void *a)
{
	mn_chan **cs = a;
	static atomic_int k;
	int i = atomic_fetch_add(&k, 1);
	struct mn_sel_case sc[2] = { { cs[0], MN_SEL_SEND, &i, false }, { cs[1], MN_SEL_SEND, &i, false } };

	mn_select(sc, 2, MN_FOREVER);
	mn_wg_done(&wg);
}

static int selsend_main(void *a)
{
	mn_chan *cs[2] = { mn_chan_make(sizeof(int), 0), mn_chan_make(sizeof(int), 0) };
	int got = 0, v;
	struct mn_sel_case rc[2] = { { cs[0], MN_SEL_RECV, &v, false }, { cs[1], MN_SEL_RECV, &v, false } };

	mn_wg_add(&wg, 200);
	for (int i = 0; i < 200; i++)
		mn_go(sel_sender, cs);
	for (int i = 0; i < 200; i++)
		got += mn_select(rc, 2, 1000000000) >= 0;
	mn_wg_wait(&wg);
	return got;
}

/* 200 tasks each selecting over two sends, one receiver selecting over both:
 * every select completes exactly once (no lost or doubled wakeups). */
TEST(select_send_stress)
{
	setenv("MN_PROCS", "2", 1);
	ASSERT_EQ(200, mn_main(selsend_main, NULL));
}

enum { BIG_N = 4096, BIG_READY = 4001, BIG_LATER = 17 };
static mn_chan *big_chans[BIG_N];
static struct mn_sel_case big_cases[BIG_N];
static int big_vals[BIG_N], big_got[2], neighbour_ok;
static mn_waitgroup big_up;	/* a task reached its waiting point */
static mn_waitgroup big_wg;	/* the selector and the sender are done */
static mn_chan *big_start, *big_hold;

/* A parked task with a patterned buffer on its stack: what an overrun of
 * another task's stack hits where there is no guard page (or past it). */
static void neighbour(void *a)
{
	volatile unsigned char buf[16384];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 7 + 1);
	mn_wg_done(&big_up);
	mn_chan_recv(big_hold, NULL);	/* parked until big_main closes it */
	neighbour_ok = 1;
	for (size_t i = 0; i < sizeof(buf); i++)
		if (buf[i] != (unsigned char)(i * 7 + 1))
			neighbour_ok = 0;
	mn_wg_done(&wg);
}

static void big_sender(void *a)
{
	int v = BIG_LATER;

	mn_chan_send(big_chans[BIG_LATER], &v);
	mn_wg_done(&big_wg);
}

static void big_selector(void *a)
{
	mn_wg_done(&big_up);
	mn_chan_recv(big_start, NULL);	/* until the neighbour is parked */
	big_got[0] = mn_select(big_cases, BIG_N, 0);		/* one case ready */
	mn_go(big_sender, NULL);				/* then another */
	big_got[1] = mn_select(big_cases, BIG_N, MN_FOREVER);
	mn_wg_done(&big_wg);
}

static int big_main(void *a)
{
	int v = BIG_READY;

	big_start = mn_chan_make(1, 0);
	big_hold = mn_chan_make(1, 0);
	for (int i = 0; i < BIG_N; i++) {
		big_chans[i] = mn_chan_make(sizeof(int), i == BIG_READY);
		big_cases[i] = (struct mn_sel_case){ big_chans[i], MN_SEL_RECV, &big_vals[i], false };
	}
	mn_chan_send(big_chans[BIG_READY], &v);
	/* The selector's stack first, then the neighbour's (next to it,
	 * below, where an overrun of the selector's stack goes). */
	mn_wg_add(&big_wg, 2);
	mn_wg_add(&big_up, 1);
	mn_go(big_selector, NULL);
	mn_wg_wait(&big_up);
	mn_wg_add(&wg, 1);
	mn_wg_add(&big_up, 1);
	mn_go(neighbour, NULL);
	mn_wg_wait(&big_up);
	mn_chan_close(big_start);
	mn_wg_wait(&big_wg);
	mn_chan_close(big_hold);
	mn_wg_wait(&wg);
	return big_vals[BIG_READY] == BIG_READY && big_vals[BIG_LATER] == BIG_LATER;
}

/* A select over 4096 cases (far more than a 64 KiB task stack holds for
 * its bookkeeping) does its job: the ready case at once, then the case a
 * sender fires while it waits, and leaves a parked neighbour's stack
 * untouched. */
TEST(select_many_cases)
{
	ASSERT_EQ(1, mn_main(big_main, NULL));
	EXPECT_EQ(BIG_READY, big_got[0]);
	EXPECT_EQ(BIG_LATER, big_got[1]);
	EXPECT_EQ(1, neighbour_ok);
}

static mn_mutex mu;
static long shared;

static void incr(void *a)
{
	for (int i = 0; i < 20000; i++) {
		mn_mutex_lock(&mu);
		shared++;
		if (i % 1000 == 0)
			mn_yield();	/* hold it across a switch */
		mn_mutex_unlock(&mu);
	}
	mn_wg_done(&wg);
}

static int mutex_main(void *a)
{
	mn_wg_add(&wg, 8);
	for (int i = 0; i < 8; i++)
		mn_go(incr, NULL);
	mn_wg_wait(&wg);
	return shared == 8 * 20000;
}

/* Mutex: 8 tasks on 2 Ps, 160000 increments, none lost. */
TEST(mutex_stress)
{
	setenv("MN_PROCS", "2", 1);
	ASSERT_EQ(1, mn_main(mutex_main, NULL));
}

static mn_rwmutex rw;
static atomic_int readers_in, max_readers, writer_in, rw_bad;

static void reader(void *a)
{
	for (int i = 0; i < 200; i++) {
		mn_rwmutex_rlock(&rw);
		atomic_fetch_add(&readers_in, 1);
		if (atomic_load(&writer_in))
			atomic_store(&rw_bad, 1);
		mn_yield();
		atomic_fetch_sub(&readers_in, 1);
		mn_rwmutex_runlock(&rw);
	}
	mn_wg_done(&wg);
}

static void writer(void *a)
{
	for (int i = 0; i < 100; i++) {
		mn_rwmutex_lock(&rw);
		if (atomic_fetch_add(&writer_in, 1) || atomic_load(&readers_in))
			atomic_store(&rw_bad, 1);
		mn_yield();
		atomic_fetch_sub(&writer_in, 1);
		mn_rwmutex_unlock(&rw);
	}
	mn_wg_done(&wg);
}

static atomic_int sharers_in;

/* Holds a read lock until all four sharers hold one (or gives up). */
static void sharer(void *a)
{
	mn_rwmutex_rlock(&rw);
	atomic_fetch_add(&sharers_in, 1);
	for (int i = 0; i < 100000 && atomic_load(&sharers_in) < 4; i++)
		mn_yield();
	if (atomic_load(&sharers_in) > atomic_load(&max_readers))
		atomic_store(&max_readers, atomic_load(&sharers_in));
	atomic_fetch_sub(&sharers_in, 1);
	mn_rwmutex_runlock(&rw);
	mn_wg_done(&wg);
}

static int rw_main(void *a)
{
	/* Without writers, readers share: all four hold it at once. */
	mn_wg_add(&wg, 4);
	for (int i = 0; i < 4; i++)
		mn_go(sharer, NULL);
	mn_wg_wait(&wg);
	/* Mixed: no reader ever runs with a writer, nor two writers.  (Readers
	 * need not overlap here: a waiting writer holds new readers back.) */
	mn_wg_add(&wg, 6);
	for (int i = 0; i < 4; i++)
		mn_go(reader, NULL);
	for (int i = 0; i < 2; i++)
		mn_go(writer, NULL);
	mn_wg_wait(&wg);
	return !atomic_load(&rw_bad) && atomic_load(&max_readers) == 4;
}

/* RWMutex: readers share, writers exclude readers and each other. */
TEST(rwmutex)
{
	setenv("MN_PROCS", "2", 1);
	ASSERT_EQ(1, mn_main(rw_main, NULL));
}

static mn_cond cond;
static int ready_flag, woken;

static void cwaiter(void *a)
{
	mn_mutex_lock(&mu);
	while (!ready_flag)
		mn_cond_wait(&cond, &mu);
	woken++;
	mn_mutex_unlock(&mu);
	mn_wg_done(&wg);
}

static mn_once once;
static int once_count;

static void once_fn(void *a)
{
	once_count++;
}

static void oncer(void *a)
{
	mn_once_do(&once, once_fn, NULL);
	mn_wg_done(&wg);
}

static mn_sem sem;
static atomic_int in_sem, sem_max;

static void sem_user(void *a)
{
	mn_sem_acquire(&sem);
	int n = atomic_fetch_add(&in_sem, 1) + 1;

	if (n > atomic_load(&sem_max))
		atomic_store(&sem_max, n);
	mn_sleep(1000000);
	atomic_fetch_sub(&in_sem, 1);
	mn_sem_release(&sem);
	mn_wg_done(&wg);
}

static int misc_main(void *a)
{
	int ok = 1;

	mn_wg_add(&wg, 10);
	for (int i = 0; i < 10; i++)
		mn_go(cwaiter, NULL);
	mn_sleep(10000000);
	mn_mutex_lock(&mu);
	ok &= woken == 0;
	ready_flag = 1;
	mn_cond_broadcast(&cond);
	mn_mutex_unlock(&mu);
	mn_wg_wait(&wg);
	ok &= woken == 10;

	mn_wg_add(&wg, 50);
	for (int i = 0; i < 50; i++)
		mn_go(oncer, NULL);
	mn_wg_wait(&wg);
	ok &= once_count == 1;

	mn_sem_init(&sem, 3);
	mn_wg_add(&wg, 20);
	for (int i = 0; i < 20; i++)
		mn_go(sem_user, NULL);
	mn_wg_wait(&wg);
	ok &= atomic_load(&sem_max) == 3;
	ok &= mn_sem_tryacquire(&sem) && mn_sem_tryacquire(&sem) && mn_sem_tryacquire(&sem) &&
	      !mn_sem_tryacquire(&sem);
	ok &= mn_mutex_trylock(&mu) && !mn_mutex_trylock(&mu);
	mn_mutex_unlock(&mu);
	return ok;
}

/* Cond broadcast wakes all waiters; Once runs once among 50 tasks; a
 * semaphore of 3 admits at most 3 holders and exactly 3 tryacquires. */
TEST(cond_once_sem)
{
	setenv("MN_PROCS", "2", 1);
	ASSERT_EQ(1, mn_main(misc_main, NULL));
}

/* ---- misuse: fatal errors naming the task and its creation site ---- */

static int misuse_kind;

static void misuse_task(void *a)
{
	mn_chan *c = mn_chan_make(sizeof(int), 1);
	mn_waitgroup w = { 0 };
	mn_mutex m = { 0 };
	int v = 1;

	switch (misuse_kind) {
	case 0:
		mn_chan_close(c);
		mn_chan_send(c, &v);
		break;
	case 1:
		mn_chan_close(c);
		mn_chan_close(c);
		break;
	case 2:
		mn_chan_close(NULL);
		break;
	case 3:
		mn_wg_add(&w, 1);
		mn_wg_done(&w);
		mn_wg_done(&w);
		break;
	case 4:
		mn_mutex_unlock(&m);
		break;
	}
	mn_wg_done(&wg);
}

static int misuse_main(void *a)
{
	mn_wg_add(&wg, 1);
	mn_go(misuse_task, NULL);
	mn_wg_wait(&wg);
	return 0;
}

static void misuse_child(void)
{
	mn_main(misuse_main, NULL);
}

static void check_misuse(struct __test_metadata *_metadata, int kind, const char *msg)
{
	char out[4096];
	int st;

	misuse_kind = kind;
	st = mnt_run_child(misuse_child, out, sizeof(out), 0, 0);
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(2, WEXITSTATUS(st));
	EXPECT_NE(NULL, strstr(out, msg)) TH_LOG("got: %s", out);
	EXPECT_NE(NULL, strstr(out, "task 2 [running]:\n\tcreated at selftests/libmn/mn_chan_test.c:"))
		TH_LOG("got: %s", out);
}

/* Send on a closed channel is fatal and names the task and where it was made. */
TEST(fatal_send_on_closed)
{
	check_misuse(_metadata, 0, "fatal error: send on closed channel");
}

/* Close of a closed channel is fatal. */
TEST(fatal_close_closed)
{
	check_misuse(_metadata, 1, "fatal error: close of closed channel");
}

/* Close of a nil channel is fatal. */
TEST(fatal_close_nil)
{
	check_misuse(_metadata, 2, "fatal error: close of nil channel");
}

/* A negative WaitGroup counter is fatal. */
TEST(fatal_negative_waitgroup)
{
	check_misuse(_metadata, 3, "fatal error: sync: negative WaitGroup counter");
}

/* Unlock of an unlocked mutex is fatal. */
TEST(fatal_unlock_unlocked)
{
	check_misuse(_metadata, 4, "fatal error: sync: unlock of unlocked mutex");
}

static mn_waitgroup reuse_wg;

static void reuse_waiter(void *a)
{
	mn_wg_wait(&reuse_wg);
	mn_wg_done(&wg);
}

static int reuse_main(void *a)
{
	mn_wg_add(&wg, 2);
	mn_wg_add(&reuse_wg, 1);
	mn_go(reuse_waiter, NULL);
	mn_go(reuse_waiter, NULL);
	mn_sleep(10000000);
	/* Done wakes the waiters; Add before they returned from Wait */
	mn_wg_done(&reuse_wg);
	mn_wg_add(&reuse_wg, 1);
	mn_wg_wait(&wg);
	return 0;
}

static void reuse_child(void)
{
	setenv("MN_PROCS", "1", 1);
	mn_main(reuse_main, NULL);
}

/* Reusing a WaitGroup before the previous Wait returned is fatal. */
TEST(fatal_waitgroup_reuse)
{
	char out[4096];
	int st = mnt_run_child(reuse_child, out, sizeof(out), 0, 0);

	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(2, WEXITSTATUS(st));
	EXPECT_NE(NULL, strstr(out, "WaitGroup is reused before previous Wait has returned")) TH_LOG("%s", out);
}

/* The leaked sender of the seed article: after a timeout nobody receives
 * from the unbuffered channel, so the sender stays blocked; the exit
 * report names it, and the context whose cancel was never called. */
static void slow_fn(void *a)
{
	int result = 42;

	mn_sleep(50000000);
	mn_chan_send(a, &result);	/* blocks forever: receiver gave up */
}

static int leak_main(void *a)
{
	mn_chan *ch = mn_chan_make(sizeof(int), 0);
	mn_chan *timeout = mn_after(10000000);
	int result = 0;
	struct mn_sel_case cs[2] = { { ch, MN_SEL_RECV, &result, false }, { timeout, MN_SEL_RECV, NULL, false } };
	mn_ctx *hctx = mn_ctx_with_cancel(mn_ctx_background());

	mn_go(slow_fn, ch);
	if (mn_select(cs, 2, MN_FOREVER) != 1)
		return 1;
	hctx = mn_ctx_with_timeout(mn_ctx_background(), 1000000000);	/* overwrites: lost cancel */
	mn_ctx_cancel(hctx);
	mn_sleep(100000000);
	return 0;
}

static void leak_child(void)
{
	setenv("MN_LEAKS", "1", 1);
	mn_main(leak_main, NULL);
}

TEST(leak_report_at_exit)
{
	char out[4096];
	int st = mnt_run_child(leak_child, out, sizeof(out), 0, 0);

	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_NE(NULL, strstr(out, "libmn: leak: task 2 blocked in chan send, created at selftests/libmn/mn_chan_test.c:"))
		TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "libmn: leak: context created at selftests/libmn/mn_chan_test.c:"))
		TH_LOG("%s", out);
	/* only one context leaked: the cancelled one is not reported */
	EXPECT_EQ(NULL, strstr(strstr(out, "context created") + 1, "context created"));
}

TEST_HARNESS_MAIN
