// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tracker (user/nstaint/tracker.[ch]) fed hand-made records and
 * snapshots: which threads it holds, and what it says of each.  The live
 * path (real kernels, real programs) is in selftests/bpf/top_test.sh.
 */
#include <string.h>

#include "kselftest_harness.h"
#include "source/snapshot.h"
#include "model/tracker.h"

#define HOME_NET	4026531840U
#define OTHER_NET	4026532000U

/* A record of @type for (@pid, @tid), net differing from home iff @net. */
static struct nstaint_event rec(__u16 type, __u32 pid, __u32 tid, bool net,
				__u64 ts)
{
	struct nstaint_event e = {
		.version = NSTAINT_ABI_VERSION,
		.type = type,
		.size = sizeof(e),
		.ts_ns = ts,
		.pid = pid,
		.tid = tid,
		.comm = "worker",
	};

	for (int i = 0; i < NSTAINT_NS_COUNT; i++)
		e.ns_old[i] = e.ns_new[i] = e.ns_home[i] = 4026531830U + i;
	e.ns_home[NSTAINT_NS_NET] = HOME_NET;
	e.ns_new[NSTAINT_NS_NET] = net ? OTHER_NET : HOME_NET;
	e.tainted_mask = net ? NSTAINT_NS_BIT(NSTAINT_NS_NET) : 0;
	return e;
}

static void feed(struct __test_metadata *_metadata, struct tracker *t,
		 struct nstaint_event e)
{
	ASSERT_EQ(0, tracker_update(t, &e));
}

TEST(tainted_then_restored)
{
	struct tracker t = {};
	struct nstaint_event e = rec(NSTAINT_EV_THREAD_TAINTED, 10, 11, true,
				     5000);
	struct tracked_thread *th;

	e.owner_kind = NSTAINT_TASK_GO;
	e.owner_id = 7;
	e.flags = NSTAINT_F_TASK_LOCKED;
	feed(_metadata, &t, e);
	ASSERT_EQ(1, t.n);
	th = tracker_find(&t, 10, 11);
	ASSERT_NE(NULL, th);
	EXPECT_EQ(NSTAINT_NS_BIT(NSTAINT_NS_NET), th->mask);
	EXPECT_EQ(OTHER_NET, th->ns[NSTAINT_NS_NET]);
	EXPECT_EQ(HOME_NET, th->home[NSTAINT_NS_NET]);
	EXPECT_EQ(NSTAINT_TASK_GO, th->owner.kind);
	EXPECT_EQ(7, th->owner.id);
	EXPECT_TRUE(th->owner_locked);
	EXPECT_EQ(5000, th->since_ns);
	EXPECT_STREQ("worker", th->comm);

	feed(_metadata, &t, rec(NSTAINT_EV_THREAD_RESTORED, 10, 11, false,
				6000));
	EXPECT_EQ(0, t.n);
	EXPECT_EQ(NULL, tracker_find(&t, 10, 11));
	EXPECT_EQ(1, t.counts[NSTAINT_EV_THREAD_TAINTED]);
	EXPECT_EQ(1, t.counts[NSTAINT_EV_THREAD_RESTORED]);
	tracker_free(&t);
}

/* ns_change comes before thread_tainted / thread_restored: on its own it
 * must already add and drop, and the taint time is the first record's. */
TEST(ns_change_adds_and_drops)
{
	struct tracker t = {};

	feed(_metadata, &t, rec(NSTAINT_EV_NS_CHANGE, 10, 12, true, 100));
	ASSERT_EQ(1, t.n);
	EXPECT_EQ(100, t.threads[0].since_ns);
	feed(_metadata, &t, rec(NSTAINT_EV_THREAD_TAINTED, 10, 12, true, 100));
	EXPECT_EQ(1, t.n);
	feed(_metadata, &t, rec(NSTAINT_EV_NS_CHANGE, 10, 12, false, 200));
	EXPECT_EQ(0, t.n);
	tracker_free(&t);
}

TEST(tasks_deduplicated_and_counted_past_the_array)
{
	struct tracker t = {};
	struct nstaint_event e = rec(NSTAINT_EV_TASK_ON_TAINTED_THREAD, 10, 11,
				     true, 100);
	struct tracked_thread *th;

	e.task_kind = NSTAINT_TASK_GO;
	e.task_id = 1;
	feed(_metadata, &t, e);
	feed(_metadata, &t, e);		/* the same goroutine again */
	th = tracker_find(&t, 10, 11);
	ASSERT_NE(NULL, th);
	EXPECT_EQ(1, th->ntasks);
	for (e.task_id = 2; e.task_id <= TRACKER_TASK_IDS + 3; e.task_id++)
		feed(_metadata, &t, e);
	th = tracker_find(&t, 10, 11);
	EXPECT_EQ(TRACKER_TASK_IDS + 3, th->ntasks);
	for (int i = 0; i < TRACKER_TASK_IDS; i++) {
		EXPECT_EQ(NSTAINT_TASK_GO, th->tasks[i].kind);
		EXPECT_EQ(i + 1, th->tasks[i].id);
	}
	/* A task record does not make a task the owner. */
	EXPECT_EQ(NSTAINT_TASK_NONE, th->owner.kind);
	tracker_free(&t);
}

TEST(clone_thread_tracked_new_process_not)
{
	struct tracker t = {};
	struct nstaint_event e = rec(NSTAINT_EV_CLONE_FROM_TAINTED, 20, 20,
				     true, 300);

	e.flags = NSTAINT_F_NEW_PROCESS;
	e.parent_tid = 11;
	feed(_metadata, &t, e);
	EXPECT_EQ(0, t.n);
	EXPECT_EQ(1, t.counts[NSTAINT_EV_CLONE_FROM_TAINTED]);

	e = rec(NSTAINT_EV_CLONE_FROM_TAINTED, 10, 13, true, 400);
	e.parent_tid = 11;
	feed(_metadata, &t, e);
	ASSERT_EQ(1, t.n);
	EXPECT_EQ(13, t.threads[0].tid);
	EXPECT_EQ(400, t.threads[0].since_ns);
	tracker_free(&t);
}

/*
 * An exec leaves one thread, with the new program's home: a
 * thread_restored of cause exec drops every thread of the process (here
 * a second tainted thread whose exit record was lost, while another
 * process's tainted thread stays), and the process is no longer listed.
 */
TEST(exec_drops_the_whole_process)
{
	struct tracker t = {};
	struct nstaint_event e;

	feed(_metadata, &t, rec(NSTAINT_EV_THREAD_TAINTED, 10, 11, true, 1));
	feed(_metadata, &t, rec(NSTAINT_EV_THREAD_TAINTED, 10, 12, true, 2));
	feed(_metadata, &t, rec(NSTAINT_EV_THREAD_TAINTED, 30, 31, true, 3));
	ASSERT_EQ(3, t.n);
	e = rec(NSTAINT_EV_THREAD_RESTORED, 10, 11, false, 4);
	e.cause = NSTAINT_CAUSE_EXEC;
	feed(_metadata, &t, e);
	EXPECT_EQ(NULL, tracker_find(&t, 10, 11));
	EXPECT_EQ(NULL, tracker_find(&t, 10, 12));
	EXPECT_NE(NULL, tracker_find(&t, 30, 31));
	EXPECT_EQ(1, t.n);
	EXPECT_EQ(1, tracker_nprocs(&t));
	tracker_free(&t);
}

TEST(exit_lost_and_bad_records)
{
	struct tracker t = {};
	struct nstaint_event e;

	feed(_metadata, &t, rec(NSTAINT_EV_THREAD_TAINTED, 10, 11, true, 1));
	feed(_metadata, &t, rec(NSTAINT_EV_THREAD_EXIT, 10, 11, true, 2));
	EXPECT_EQ(0, t.n);

	e = rec(NSTAINT_EV_LOST, 0, 0, false, 3);
	e.count = 5;
	feed(_metadata, &t, e);
	e.count = 7;
	feed(_metadata, &t, e);
	EXPECT_EQ(12, t.lost);

	/* Unknown ABI: counted as bad, not applied. */
	e = rec(NSTAINT_EV_THREAD_TAINTED, 10, 11, true, 4);
	e.version = NSTAINT_ABI_VERSION + 1;
	feed(_metadata, &t, e);
	e = rec(NSTAINT_EV_THREAD_TAINTED, 10, 11, true, 4);
	e.size = sizeof(e) - 8;
	feed(_metadata, &t, e);
	e = rec(NSTAINT_EV_TYPE_COUNT, 10, 11, true, 4);
	feed(_metadata, &t, e);
	EXPECT_EQ(3, t.bad);
	EXPECT_EQ(0, t.n);
	tracker_free(&t);
}

TEST(sorted_by_pid_then_tid)
{
	static const __u32 ids[][2] = { {30, 33}, {10, 12}, {30, 30}, {10, 11},
					{20, 21}, {10, 19} };
	struct tracker t = {};
	size_t i;

	/* Past the first allocation too. */
	for (i = 0; i < 40; i++)
		feed(_metadata, &t, rec(NSTAINT_EV_THREAD_TAINTED, 50,
					100 - i, true, i));
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		feed(_metadata, &t, rec(NSTAINT_EV_THREAD_TAINTED, ids[i][0],
					ids[i][1], true, i));
	ASSERT_EQ(46, t.n);
	for (i = 1; i < t.n; i++) {
		const struct tracked_thread *a = &t.threads[i - 1];
		const struct tracked_thread *b = &t.threads[i];

		EXPECT_TRUE(a->pid < b->pid ||
			    (a->pid == b->pid && a->tid < b->tid));
	}
	EXPECT_EQ(4, tracker_nprocs(&t));
	tracker_free(&t);
}

/* pid 1 <- 100 <- 200 (tainted tid 201), and 300 (tainted tid 301). */
static void make_snapshot(struct snapshot *s, struct snap_proc *p,
			  struct snap_thread *th)
{
	static const pid_t pids[] = { 1, 100, 200, 300 };
	static const pid_t ppids[] = { 0, 1, 100, 1 };

	memset(s, 0, sizeof(*s));
	for (int i = 0; i < 4; i++) {
		memset(&p[i], 0, sizeof(p[i]));
		memset(&th[i], 0, sizeof(th[i]));
		p[i].pid = pids[i];
		p[i].ppid = ppids[i];
		p[i].home.ino[NSTAINT_NS_NET] = HOME_NET;
		p[i].nthreads = 1;
		p[i].threads = &th[i];
		th[i].tid = pids[i] + 1;
		strcpy(th[i].comm, "snap");
		th[i].ns = p[i].home;
		if (pids[i] == 200 || pids[i] == 300) {
			th[i].ns.ino[NSTAINT_NS_NET] = OTHER_NET;
			th[i].tainted_mask = NSTAINT_NS_BIT(NSTAINT_NS_NET);
		}
	}
	s->nprocs = 4;
	s->procs = p;
}

TEST(seed_from_snapshot)
{
	struct snap_thread th[4];
	struct snap_proc p[4];
	struct tracker t = {};
	struct snapshot s;
	struct tracked_thread *tt;

	make_snapshot(&s, p, th);
	ASSERT_EQ(0, tracker_seed(&t, &s, 0));
	ASSERT_EQ(2, t.n);
	tt = tracker_find(&t, 200, 201);
	ASSERT_NE(NULL, tt);
	EXPECT_EQ(0, tt->since_ns);	/* before start */
	EXPECT_EQ(OTHER_NET, tt->ns[NSTAINT_NS_NET]);
	EXPECT_EQ(HOME_NET, tt->home[NSTAINT_NS_NET]);
	EXPECT_STREQ("snap", tt->comm);
	tracker_free(&t);

	/* Scoped to 100: its grandchild 200, not 300. */
	ASSERT_EQ(0, tracker_seed(&t, &s, 100));
	ASSERT_EQ(1, t.n);
	EXPECT_NE(NULL, tracker_find(&t, 200, 201));
	tracker_free(&t);

	/* A thread a record already put in the table is left as it is. */
	feed(_metadata, &t, rec(NSTAINT_EV_THREAD_TAINTED, 300, 301, true,
				900));
	ASSERT_EQ(0, tracker_seed(&t, &s, 0));
	EXPECT_EQ(2, t.n);
	EXPECT_EQ(900, tracker_find(&t, 300, 301)->since_ns);
	tracker_free(&t);
}

static bool odd_tid_alive(void *ctx, __u32 pid, __u32 tid)
{
	(*(int *)ctx)++;
	return tid & 1;
}

TEST(prune_counts_what_went_without_a_record)
{
	struct tracker t = {};
	int calls = 0;

	for (__u32 tid = 11; tid <= 16; tid++)
		feed(_metadata, &t, rec(NSTAINT_EV_THREAD_TAINTED, 10, tid,
					true, tid));
	EXPECT_EQ(3, tracker_prune(&t, odd_tid_alive, &calls));
	EXPECT_EQ(6, calls);
	EXPECT_EQ(3, t.n);
	EXPECT_EQ(3, t.pruned);
	for (size_t i = 0; i < t.n; i++)
		EXPECT_EQ(1, t.threads[i].tid & 1);
	tracker_free(&t);
}

TEST_HARNESS_MAIN
