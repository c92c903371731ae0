// SPDX-License-Identifier: GPL-2.0-only
/* libmn scheduler: tasks, stacks, stealing, syscalls, timers, deadlock. */
#include <fenv.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <time.h>
#include <xmmintrin.h>

#include "kselftest_harness.h"
#include "mn_testlib.h"

static mn_waitgroup wg;
static atomic_long counter;

/* TSan makes each task a fiber it tracks like a thread (tens of us each). */
#ifdef __SANITIZE_THREAD__
#define NTASKS 20000
#else
#define NTASKS 1000000
#endif

static void add_one(void *a)
{
	atomic_fetch_add(&counter, (long)(intptr_t)a);
	mn_wg_done(&wg);
}

static int million_main(void *a)
{
	mn_wg_add(&wg, NTASKS);
	for (int i = 0; i < NTASKS; i++)
		mn_go(add_one, (void *)(intptr_t)1);
	mn_wg_wait(&wg);
	return (int)(atomic_load(&counter) == NTASKS);
}

/* A million short tasks (20000 under TSan) all run exactly once and the
 * spawner sees them finish. */
TEST(million_short_tasks)
{
	ASSERT_EQ(1, mn_main(million_main, NULL));
}

static int order[64], norder;
static mn_mutex order_mu;

static void yielder(void *a)
{
	for (int i = 0; i < 3; i++) {
		mn_mutex_lock(&order_mu);
		order[norder++] = (int)(intptr_t)a;
		mn_mutex_unlock(&order_mu);
		mn_yield();
	}
	mn_wg_done(&wg);
}

static int yield_main(void *a)
{
	mn_wg_add(&wg, 2);
	mn_go(yielder, (void *)1);
	mn_go(yielder, (void *)2);
	mn_wg_wait(&wg);
	return norder;
}

/* With one P, two yielding tasks alternate instead of running to completion. */
TEST(yield_interleaves)
{
	setenv("MN_PROCS", "1", 1);
	ASSERT_EQ(6, mn_main(yield_main, NULL));
	for (int i = 1; i < 6; i++)
		EXPECT_NE(order[i], order[i - 1]);
}

static atomic_int fair_flag;

static void spinner_yield(void *a)
{
	while (!atomic_load(&fair_flag))
		mn_yield();	/* back to the local queue's tail, forever */
	mn_wg_done(&wg);
}

static void flag_setter(void *a)
{
	atomic_store(&fair_flag, 1);
	mn_wg_done(&wg);
}

static void *outsider(void *a)
{
	usleep(10000);
	mn_go(flag_setter, NULL);	/* from a non-runtime thread: global queue */
	return NULL;
}

static int fairness_main(void *a)
{
	int64_t t0 = mn_now();
	pthread_t t;

	mn_wg_add(&wg, 3);
	pthread_create(&t, NULL, outsider, NULL);
	pthread_detach(t);
	mn_go(spinner_yield, NULL);
	mn_go(spinner_yield, NULL);
	mn_wg_wait(&wg);
	return (int)((mn_now() - t0) / 1000000);
}

/* With one P whose local queue never empties (two tasks yielding), a task
 * readied into the global queue still runs soon: the scheduler checks the
 * global queue every 61 schedules. */
TEST(global_queue_fairness)
{
	setenv("MN_PROCS", "1", 1);
	EXPECT_LT(mn_main(fairness_main, NULL), 1000);
}

static atomic_long ran_on[8];

/*
 * Busy until a task has run on each P (or, for all, 5 s have passed): the
 * spawner's P is held by busy tasks, so only a steal can start one on the
 * other P.  A fixed amount of work instead let the spawner's P finish
 * everything while a loaded host kept the other P's thread off CPU (seen
 * under TSan).
 */
static int64_t steal_deadline;

static void busy(void *a)
{
	int p = mn_proc_id() & 7;

	atomic_fetch_add(&ran_on[p], 1);
	while (!(atomic_load(&ran_on[0]) && atomic_load(&ran_on[1])) &&
	       mn_now() < steal_deadline)
		;
	mn_wg_done(&wg);
}

static int steal_main(void *a)
{
	steal_deadline = mn_now() + 5000000000LL;
	mn_wg_add(&wg, 64);
	for (int i = 0; i < 64; i++)
		mn_go(busy, NULL);	/* all land on the spawner's P */
	mn_wg_wait(&wg);
	return mn_nprocs();
}

/* Tasks spawned on one P are stolen and run by the other P too. */
TEST(work_stealing)
{
	setenv("MN_PROCS", "2", 1);
	ASSERT_EQ(2, mn_main(steal_main, NULL));
	EXPECT_GT(atomic_load(&ran_on[0]), 0);
	EXPECT_GT(atomic_load(&ran_on[1]), 0);
	EXPECT_EQ(64, atomic_load(&ran_on[0]) + atomic_load(&ran_on[1]));
}

static int fp_ok;

/* The rounding bits as the hardware holds them: MXCSR's RC (bits 13-14)
 * and the x87 control word's RC (bits 10-11), in fenv.h's encoding
 * (FE_* are the x87 bits; MXCSR's are the same shifted by 3). */
static int mxcsr_round(void)
{
	return (int)(_mm_getcsr() >> 3) & 0xc00;
}

static int x87_round(void)
{
	unsigned short cw;

	__asm__ volatile("fnstcw %0" : "=m"(cw));
	return cw & 0xc00;
}

static void fp_task(void *a)
{
	int mode = (int)(intptr_t)a;

	fesetround(mode);
	for (int i = 0; i < 100; i++) {
		mn_yield();
		if (mxcsr_round() != mode || x87_round() != mode)
			fp_ok = 0;
	}
	mn_wg_done(&wg);
}

static int fp_main(void *a)
{
	fp_ok = 1;
	mn_wg_add(&wg, 2);
	mn_go(fp_task, (void *)(intptr_t)FE_UPWARD);
	mn_go(fp_task, (void *)(intptr_t)FE_TOWARDZERO);
	mn_wg_wait(&wg);
	return fp_ok;
}

/* Each task keeps its own rounding mode, in MXCSR and in the x87 control
 * word, across switches to a task with another. */
TEST(fpu_state_per_task)
{
	setenv("MN_PROCS", "1", 1);
	ASSERT_EQ(1, mn_main(fp_main, NULL));
}

/* volatile: the compiler may neither drop the frame nor turn this into a loop */
static void recurse(int n)
{
	volatile char buf[1024];

	buf[0] = (char)n;
	if (n < 1000000)
		recurse(n + 1);
	buf[1023] = buf[0];
}

static void overflow_task(void *a)
{
	recurse(0);
}

static int overflow_main(void *a)
{
	mn_go(overflow_task, NULL);
	mn_sleep(5000000000LL);
	return 0;
}

static void overflow_child(void)
{
	mn_main(overflow_main, NULL);
}

/* A task that overruns its stack hits the guard page (SIGSEGV), not a neighbour. */
TEST(stack_guard_page)
{
	char out[4096];
	int st = mnt_run_child(overflow_child, out, sizeof(out), 0, 0);

	ASSERT_TRUE(WIFSIGNALED(st));
	EXPECT_EQ(SIGSEGV, WTERMSIG(st));
}

/* ---- an overrun of a stack carved from the middle of a chunk ---- */
#define GUARD_NEIGHBOURS 40	/* stacks taken before the overrunning task's */

static mn_waitgroup guard_up;
static mn_chan *guard_hold;
static uintptr_t guard_frame;	/* a frame near the overrunning task's stack top */
static char guard_altstack[65536];

static void guard_neighbour(void *a)
{
	mn_wg_done(&guard_up);
	mn_chan_recv(guard_hold, NULL);	/* parked, its stack taken, until exit */
}

/* On the alternate stack: did the overrun fault in the page right below
 * the overrunning task's 64 KiB, its guard?  Without a guard it would run
 * on into the neighbour's stack below and fault 64 KiB further down. */
static void put_hex(char *p, uintptr_t v)	/* 16 digits; async-signal-safe */
{
	for (int i = 15; i >= 0; i--, v >>= 4)
		p[i] = "0123456789abcdef"[v & 15];
}

static void guard_segv(int sig, siginfo_t *si, void *uc)
{
	uintptr_t a = (uintptr_t)si->si_addr, bottom = guard_frame - 65536;
	char msg[] = "fault at 0x................, stack bottom near 0x................\n";

	put_hex(msg + 11, a);
	put_hex(msg + 49, bottom);
	(void)!write(2, msg, sizeof(msg) - 1);
	_exit(a >= bottom - 4096 && a < bottom + 2048 ? 0 : 3);
}

static void guard_overrun_task(void *a)
{
	stack_t ss = { .ss_sp = guard_altstack, .ss_size = sizeof(guard_altstack) };
	struct sigaction sa = { .sa_sigaction = guard_segv, .sa_flags = SA_SIGINFO | SA_ONSTACK };

	guard_frame = (uintptr_t)__builtin_frame_address(0);
	sigaltstack(&ss, NULL);	/* this thread's: MN_PROCS=1 */
	sigaction(SIGSEGV, &sa, NULL);
	recurse(0);
}

static int guard_chunk_main(void *a)
{
	guard_hold = mn_chan_make(0, 0);
	mn_wg_add(&guard_up, GUARD_NEIGHBOURS);
	for (int i = 0; i < GUARD_NEIGHBOURS; i++)
		mn_go(guard_neighbour, NULL);
	mn_wg_wait(&guard_up);	/* every neighbour runs on a stack of its own */
	mn_go(guard_overrun_task, NULL);
	mn_sleep(5000000000LL);
	return 0;
}

static void guard_chunk_child(void)
{
	setenv("MN_PROCS", "1", 1);
	setenv("MN_STACK_SIZE", "65536", 1);
	mn_main(guard_chunk_main, NULL);
}

/* Stacks are carved from shared mappings: one that is not the first of
 * its mapping has a guard page of its own too, where an overrun faults. */
TEST(stack_guard_page_mid_chunk)
{
	char out[4096];
	int st = mnt_run_child(guard_chunk_child, out, sizeof(out), 0, 0);

	ASSERT_TRUE(WIFEXITED(st)) TH_LOG("%s", out);
	EXPECT_EQ(0, WEXITSTATUS(st)) TH_LOG("%s", out);
}

static int pfd[2];
static atomic_int other_ran;

static void blocked_reader(void *a)
{
	char c;

	mn_syscall_enter();
	ssize_t n = read(pfd[0], &c, 1);	/* blocks the thread */
	mn_syscall_exit();
	*(ssize_t *)a = n;
	mn_wg_done(&wg);
}

static void other(void *a)
{
	for (int i = 0; i < 100; i++) {
		atomic_fetch_add(&other_ran, 1);
		mn_yield();
	}
	(void)!write(pfd[1], "x", 1);
	mn_wg_done(&wg);
}

static int syscall_main(void *a)
{
	ssize_t n = -1;

	if (pipe(pfd))
		return -1;
	mn_wg_add(&wg, 2);
	mn_go(blocked_reader, &n);
	mn_yield();		/* let the reader block first */
	mn_go(other, NULL);
	mn_wg_wait(&wg);
	return (int)n;
}

/* With one P, a task blocked in read() on a pipe does not stop the others:
 * the monitor hands the P to another thread. */
TEST(blocking_syscall_hands_off_p)
{
	setenv("MN_PROCS", "1", 1);
	ASSERT_EQ(1, mn_main(syscall_main, NULL));
	EXPECT_EQ(100, atomic_load(&other_ran));
}

static int woke[32], nwoke;
static int64_t woke_at[81];	/* by sleeper (its ms) */

static int64_t timer_t0;

static int64_t deadline(int ms)
{
	return timer_t0 + (int64_t)ms * 2000000;
}

static void sleeper(void *a)
{
	int ms = (int)(intptr_t)a;

	/* absolute deadlines: spawn order and speed do not matter */
	mn_sleep(deadline(ms) - mn_now());
	/* With one P and no preemption, the time taken here and the record
	 * below happen with no other task in between. */
	woke_at[ms] = mn_now();
	mn_mutex_lock(&order_mu);
	woke[nwoke++] = ms;
	mn_mutex_unlock(&order_mu);
	mn_wg_done(&wg);
}

static int timer_main(void *a)
{
	static const int ms[] = { 50, 10, 70, 30, 20, 60, 40, 5, 80, 15 };
	int64_t t0 = mn_now();

	timer_t0 = t0 + 20000000;
	mn_wg_add(&wg, 10);
	for (int i = 0; i < 10; i++)
		mn_go(sleeper, (void *)(intptr_t)ms[i]);
	mn_wg_wait(&wg);
	return (int)((mn_now() - t0) / 1000000);
}

/*
 * Sleeping tasks wake in deadline order and not before their time.  One P:
 * timers live in per-P heaps, so across Ps the order of wake-ups 10 ms
 * apart is only as good as the host's scheduling of the Ms; within one
 * heap it is exact.  No task wakes early, so when a sleeper has woken
 * before the next deadline, it must have been recorded first: that holds
 * whatever the host's load (a stall that makes timers fire together only
 * removes pairs from the check, and wakes then run in Go's order, not by
 * deadline).  Unloaded, every pair is checked.
 */
TEST(timer_ordering)
{
	int elapsed, checked = 0, i, j, a, b;

	setenv("MN_PROCS", "1", 1);
	elapsed = mn_main(timer_main, NULL);

	ASSERT_EQ(10, nwoke);
	for (i = 0; i < 10; i++) {
		a = woke[i];
		EXPECT_GE(woke_at[a], deadline(a)) TH_LOG("%d ms woke early", a);
	}
	for (i = 0; i < 10; i++)
		for (j = 0; j < 10; j++) {
			a = woke[i];
			b = woke[j];
			if (a >= b || woke_at[a] >= deadline(b))
				continue;
			checked++;
			EXPECT_LT(i, j) TH_LOG("%d ms (woke before %d ms was due) recorded after it", a, b);
		}
	TH_LOG("%d of 45 pairs woke apart and were checked", checked);
	EXPECT_GE(elapsed, 20 + 160);
	EXPECT_LT(elapsed, 2000);
}

/* ---- many sleepers ---- */
#ifdef __SANITIZE_THREAD__
#define SLEEPERS 500
#else
#define SLEEPERS 5000
#endif
#define SLEEP_ROUNDS 5

static atomic_long sleeps_early, sleeps_done;

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void many_sleeper(void *a)
{
	int64_t ns = 100000 * (1 + (intptr_t)a % 10);	/* 0.1 to 1 ms */

	for (int r = 0; r < SLEEP_ROUNDS; r++) {
		int64_t t0 = mono_ns();

		mn_sleep(ns);
		if (mono_ns() - t0 < ns)
			atomic_fetch_add(&sleeps_early, 1);
		atomic_fetch_add(&sleeps_done, 1);
	}
	mn_wg_done(&wg);
}

static int many_sleepers_main(void *a)
{
	mn_wg_add(&wg, SLEEPERS);
	for (intptr_t i = 0; i < SLEEPERS; i++)
		mn_go(many_sleeper, (void *)i);
	mn_wg_wait(&wg);
	return 0;
}

/*
 * Thousands of sleepers whose timers fall due together, on one P and on
 * more Ps than CPUs: each of their sleeps returns (none is lost: the
 * WaitGroup completes, no deadlock report) and none before its time by
 * the test's own reading of CLOCK_MONOTONIC.
 */
static void many_sleepers(const char *procs)
{
	atomic_store(&sleeps_early, 0);
	atomic_store(&sleeps_done, 0);
	setenv("MN_PROCS", procs, 1);
	mn_main(many_sleepers_main, NULL);
}

TEST(many_sleepers_one_p)
{
	many_sleepers("1");
	EXPECT_EQ(SLEEPERS * SLEEP_ROUNDS, atomic_load(&sleeps_done));
	EXPECT_EQ(0, atomic_load(&sleeps_early));
}

TEST(many_sleepers_four_ps)
{
	many_sleepers("4");
	EXPECT_EQ(SLEEPERS * SLEEP_ROUNDS, atomic_load(&sleeps_done));
	EXPECT_EQ(0, atomic_load(&sleeps_early));
}

static int after_main(void *a)
{
	int64_t t0 = mn_now(), fired = 0;
	mn_chan *c = mn_after(30000000);

	mn_chan_recv(c, &fired);
	mn_chan_free(c);
	return fired - t0 >= 30000000 && mn_now() - t0 < 500000000;
}

/* mn_after delivers the firing time once the delay has passed. */
TEST(after_channel)
{
	ASSERT_EQ(1, mn_main(after_main, NULL));
}

static int busy_p_main(void *a)
{
	mn_chan *c = mn_after(5000000);
	int64_t fired;

	while (!mn_chan_len(c))
		;	/* never parks or yields: this P's M never looks at its timers */
	mn_chan_recv(c, &fired);
	mn_chan_free(c);
	return 1;
}

/* A timer of a P kept by one task that never gives it up fires all the
 * same (sysmon runs it): the channel receives while the task spins. */
TEST(timer_fires_on_busy_p)
{
	setenv("MN_PROCS", "1", 1);
	ASSERT_EQ(1, mn_main(busy_p_main, NULL));
}

static int idle_main(void *a)
{
	mn_sleep(300000000);
	return 0;
}

/* Idle Ps cost no CPU: a runtime whose only task sleeps 300 ms burns almost nothing. */
TEST(idle_costs_no_cpu)
{
	struct timespec t0, t1;

	setenv("MN_PROCS", "2", 1);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	mn_main(idle_main, NULL);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	EXPECT_LT((t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec), 30000000L);
}

static mn_chan *never;

static void stuck(void *a)
{
	int v;

	mn_chan_recv(never, &v);
}

static int deadlock_main(void *a)
{
	never = mn_chan_make(sizeof(int), 0);
	mn_go(stuck, NULL);
	mn_wg_add(&wg, 1);
	mn_wg_wait(&wg);
	return 0;
}

static void deadlock_child(void)
{
	mn_main(deadlock_main, NULL);
}

/* When every task is blocked with nothing to wake them, the runtime says
 * so like Go and lists each task with what it waits on and where it was made. */
TEST(deadlock_detected)
{
	char out[8192];
	int st = mnt_run_child(deadlock_child, out, sizeof(out), 0, 0);

	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(2, WEXITSTATUS(st));
	EXPECT_NE(NULL, strstr(out, "fatal error: all tasks are asleep - deadlock!"));
	EXPECT_NE(NULL, strstr(out, "[chan receive]"));
	EXPECT_NE(NULL, strstr(out, "[waitgroup wait]"));
	EXPECT_NE(NULL, strstr(out, "mn_sched_test.c:"));
}

static void sigquit_child(void)
{
	mn_main(deadlock_main, NULL);
}

static void say_ready(void *a)
{
	dprintf(2, "ready\n");
}

static int sq_main(void *a)
{
	never = mn_chan_make(sizeof(int), 0);
	mn_go(stuck, NULL);
	mn_go(say_ready, NULL);
	mn_sleep(10000000000LL);
	return 0;
}

static void sq_child(void)
{
	mn_main(sq_main, NULL);
}

/* SIGQUIT prints every task with its state and creation site, then exits 2. */
TEST(sigquit_dump)
{
	char out[8192];
	int st = mnt_run_child(sq_child, out, sizeof(out), 100, SIGQUIT);

	(void)sigquit_child;
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(2, WEXITSTATUS(st));
	EXPECT_NE(NULL, strstr(out, "SIGQUIT"));
	EXPECT_NE(NULL, strstr(out, "[sleep]"));
	EXPECT_NE(NULL, strstr(out, "[chan receive]"));
	EXPECT_NE(NULL, strstr(out, "created at selftests/libmn/mn_sched_test.c:"));
}

TEST_HARNESS_MAIN
