// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of user/nstaint/source/snapdiff (the /proc polling backend's
 * diff): two hand-built snapshots, one per kind of change, and the
 * records expected of each worked out from design.md's definitions
 * (tainted: differs from the home set), not from the code.
 */
#include <string.h>

#include "kselftest_harness.h"
#include "source/snapdiff.h"

#define HOME	100
#define OTHER	200
#define THIRD	300

struct got {
	struct nstaint_event ev[16];
	int n;
};

static int collect(void *ctx, const struct nstaint_event *ev)
{
	struct got *g = ctx;

	g->ev[g->n++] = *ev;
	return 0;
}

/* A thread whose uts (bit 2 of the set) is @uts, the rest at home. */
static struct snap_thread thr(pid_t tid, __u32 uts)
{
	struct snap_thread t = { .tid = tid };

	for (int i = 0; i < NSTAINT_NS_COUNT; i++)
		t.ns.ino[i] = HOME + i;
	t.ns.ino[2] = uts;
	strcpy(t.comm, "worker");
	t.tainted_mask = uts != HOME + 2 ? 1U << 2 : 0;
	return t;
}

static struct snap_proc proc(pid_t pid, struct snap_thread *t, size_t n)
{
	struct snap_proc p = { .pid = pid, .ppid = 1, .nthreads = n, .threads = t };

	for (int i = 0; i < NSTAINT_NS_COUNT; i++)
		p.home.ino[i] = HOME + i;
	return p;
}

/* Threads 11 (tainted), 12 (restored), 13 (moved again), 14 (gone
 * tainted), 15 (new, tainted), 16 (untouched): one record each of the
 * five that changed, of the right type, cause snapshot. */
TEST(each_change_one_record)
{
	struct snap_thread a[] = {
		thr(11, HOME + 2), thr(12, OTHER), thr(13, OTHER), thr(14, OTHER), thr(16, HOME + 2),
	};
	struct snap_thread b[] = {
		thr(11, OTHER), thr(12, HOME + 2), thr(13, THIRD), thr(15, OTHER), thr(16, HOME + 2),
	};
	struct snap_proc pa = proc(10, a, 5), pb = proc(10, b, 5);
	struct snapshot old = { .nprocs = 1, .procs = &pa }, now = { .nprocs = 1, .procs = &pb };
	struct got g = { .n = 0 };
	const struct { __u32 tid, type, mask, old_uts, new_uts; } want[] = {
		{ 11, NSTAINT_EV_THREAD_TAINTED, 1U << 2, HOME + 2, OTHER },
		{ 12, NSTAINT_EV_THREAD_RESTORED, 0, OTHER, HOME + 2 },
		{ 13, NSTAINT_EV_NS_CHANGE, 1U << 2, OTHER, THIRD },
		{ 14, NSTAINT_EV_THREAD_EXIT, 0, OTHER, OTHER },
		{ 15, NSTAINT_EV_THREAD_TAINTED, 1U << 2, HOME + 2, OTHER },
	};

	ASSERT_EQ(5, snapdiff(&old, &now, 42, collect, &g));
	ASSERT_EQ(5, g.n);
	for (int i = 0; i < 5; i++) {
		EXPECT_EQ(want[i].tid, g.ev[i].tid);
		EXPECT_EQ(10U, g.ev[i].pid);
		EXPECT_EQ(want[i].type, g.ev[i].type);
		EXPECT_EQ(NSTAINT_CAUSE_SNAPSHOT, g.ev[i].cause);
		EXPECT_EQ(want[i].mask, g.ev[i].tainted_mask);
		EXPECT_EQ(want[i].old_uts, g.ev[i].ns_old[2]);
		EXPECT_EQ(want[i].new_uts, g.ev[i].ns_new[2]);
		EXPECT_EQ(HOME + 2, g.ev[i].ns_home[2]);
		EXPECT_EQ(42ULL, g.ev[i].ts_ns);
		EXPECT_EQ(NSTAINT_ABI_VERSION, g.ev[i].version);
		EXPECT_STREQ("worker", g.ev[i].comm);
	}
}

/* A process that exited with a tainted thread: its thread_exit; a new
 * process with one: its thread_tainted; untainted ones say nothing. */
TEST(processes_come_and_go)
{
	struct snap_thread a[] = { thr(21, OTHER), thr(22, HOME + 2) };
	struct snap_thread b[] = { thr(31, HOME + 2), thr(32, OTHER) };
	struct snap_proc pa = proc(20, a, 2), pb = proc(30, b, 2);
	struct snapshot old = { .nprocs = 1, .procs = &pa }, now = { .nprocs = 1, .procs = &pb };
	struct got g = { .n = 0 };

	ASSERT_EQ(2, snapdiff(&old, &now, 1, collect, &g));
	EXPECT_EQ(NSTAINT_EV_THREAD_EXIT, g.ev[0].type);
	EXPECT_EQ(21U, g.ev[0].tid);
	EXPECT_EQ(20U, g.ev[0].pid);
	EXPECT_EQ(NSTAINT_EV_THREAD_TAINTED, g.ev[1].type);
	EXPECT_EQ(32U, g.ev[1].tid);
	EXPECT_EQ(30U, g.ev[1].pid);
}

/* A process unreadable in the new scan (permission): nothing is said
 * of it, not an exit of its tainted threads. */
TEST(unreadable_says_nothing)
{
	struct snap_thread a[] = { thr(41, OTHER) };
	struct snap_proc pa = proc(40, a, 1), pb = proc(40, NULL, 0);
	struct snapshot old = { .nprocs = 1, .procs = &pa }, now = { .nprocs = 1, .procs = &pb };
	struct got g = { .n = 0 };

	pb.err = 13;
	EXPECT_EQ(0, snapdiff(&old, &now, 1, collect, &g));
}

/* The same snapshot twice: no record. */
TEST(no_change_no_record)
{
	struct snap_thread a[] = { thr(51, OTHER), thr(52, HOME + 2) };
	struct snap_proc pa = proc(50, a, 2);
	struct snapshot s = { .nprocs = 1, .procs = &pa };
	struct got g = { .n = 0 };

	EXPECT_EQ(0, snapdiff(&s, &s, 1, collect, &g));
}

TEST_HARNESS_MAIN
