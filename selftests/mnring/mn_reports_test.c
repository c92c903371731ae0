// SPDX-License-Identifier: GPL-2.0-only
/*
 * libmn's reports through its ring, end to end: a child runs a libmn
 * program that makes one kind of report; the test finds the ring as
 * nstaint does (mnattr: the registry's symbol, then its ring field, read
 * from /proc/PID/mem), opens it with nstaint's reader before the report
 * and reads it after.  The oracle is libmn's other path: the text the
 * child printed on stderr, its exit status, and for a retired thread the
 * namespace inode the task itself read from /proc.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include <mn.h>
#include "attr/mnattr.h"
#include "source/mnring_reader.h"

enum mode {
	SEND_CLOSED, CLOSE_CLOSED, CLOSE_NIL, UNLOCK_UNLOCKED, WG_NEGATIVE,
	DEADLOCK, OUTSIDE_TASK, TASK_LEAK, CTX_LEAK, RETIRED,
};

static int ready_fd, go_fd, ino_fd;

static void wait_for_go(void)
{
	char c = 'r';

	if (write(ready_fd, &c, 1) != 1 || read(go_fd, &c, 1) != 1)
		_exit(10);
}

static void block_forever(void *arg)
{
	int v;

	mn_chan_recv(arg, &v);
}

/* Lock, move to a new uts namespace, tell the test its inode, unlock:
 * libmn retires the thread. */
static void leave_thread_changed(void *arg)
{
	struct stat st;

	mn_lock_thread();
	if (unshare(CLONE_NEWUTS) || stat("/proc/thread-self/ns/uts", &st) ||
	    write(ino_fd, &st.st_ino, sizeof(st.st_ino)) != sizeof(st.st_ino))
		_exit(11);
	mn_unlock_thread();
	mn_sem_release(arg);
}

static int program(void *arg)
{
	enum mode m = (enum mode)(long)arg;
	mn_chan *c = mn_chan_make(sizeof(int), 1);
	mn_waitgroup wg = { 0 };
	mn_mutex mu = { 0 };
	mn_sem done = { 0 };
	int v = 0;

	wait_for_go();
	switch (m) {
	case SEND_CLOSED:
		mn_chan_close(c);
		mn_chan_send(c, &v);
		break;
	case CLOSE_CLOSED:
		mn_chan_close(c);
		mn_chan_close(c);
		break;
	case CLOSE_NIL:
		mn_chan_close(NULL);
		break;
	case UNLOCK_UNLOCKED:
		mn_mutex_unlock(&mu);
		break;
	case WG_NEGATIVE:
		mn_wg_add(&wg, -1);
		break;
	case DEADLOCK:
		mn_chan_recv(c, &v);
		break;
	case TASK_LEAK:
		mn_go(block_forever, c);
		mn_yield();
		break;
	case CTX_LEAK:
		mn_ctx_with_cancel_at(mn_ctx_background(), "leaky.c", 42);
		break;
	case RETIRED:
		mn_sem_init(&done, 0);
		mn_go(leave_thread_changed, &done);
		mn_sem_acquire(&done);
		break;
	case OUTSIDE_TASK:
		break;
	}
	return 0;
}

struct run {
	pid_t pid;
	int status;
	char err[4096];			/* its stderr */
	unsigned long long ino;		/* RETIRED: the new uts inode */
	struct mn_ring_rec got[8];
	int ngot;
	struct mnring_stats st;
};

static void on_rec(void *ctx, const struct mn_ring_rec *rec)
{
	struct run *r = ctx;

	if (r->ngot < 8)
		r->got[r->ngot++] = *rec;
}

/* Run @m in a child with MN_LEAKS=1 and read its ring: 0, or -1 with
 * why in TH_LOG. */
static int run(struct __test_metadata *_metadata, enum mode m, struct run *r)
{
	int ready[2], go[2], err[2], ino[2];
	struct mnring_reader rd;
	struct mn_abi_ring ref;
	struct mn_proc mp;
	char why[128], c;
	ssize_t n, len = 0;

	memset(r, 0, sizeof(*r));
	if (pipe(ready) || pipe(go) || pipe(err) || pipe(ino))
		return -1;
	r->pid = fork();
	if (r->pid == 0) {
		dup2(err[1], 2);
		ready_fd = ready[1];
		go_fd = go[0];
		ino_fd = ino[1];
		setenv("MN_LEAKS", "1", 1);
		/* One P: the task mn_go made runs (and blocks) in main's
		 * mn_yield.  With two, the other P may steal it and still be
		 * running it when main returns: no leak yet (failed 1 run in
		 * 8 on a loaded host). */
		if (m == TASK_LEAK)
			setenv("MN_PROCS", "1", 1);
		mn_main(program, (void *)(long)m);
		if (m == OUTSIDE_TASK)
			mn_lock_thread();	/* no task here: fatal */
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	close(err[1]);
	close(ino[1]);
	if (r->pid < 0 || read(ready[0], &c, 1) != 1)
		return -1;
	if (mnattr_find(r->pid, &mp) || mnattr_ring(r->pid, mp.registry, &ref)) {
		TH_LOG("no ring published by pid %d", r->pid);
		return -1;
	}
	if (mnring_open(&rd, r->pid, ref.fd, why, sizeof(why))) {
		TH_LOG("mnring_open: %s", why);
		return -1;
	}
	/* The report is made and the child gone; our mapping stays. */
	if (write(go[1], "g", 1) != 1)
		return -1;
	while ((n = read(err[0], r->err + len, sizeof(r->err) - 1 - len)) > 0)
		len += n;
	waitpid(r->pid, &r->status, 0);
	if (read(ino[0], &r->ino, sizeof(r->ino)) != sizeof(r->ino))
		r->ino = 0;
	while (mnring_poll(&rd, on_rec, r, 8) > 0)
		;
	r->st = rd.st;
	mnring_close(&rd);
	close(ready[0]);
	close(go[1]);
	close(err[0]);
	close(ino[0]);
	return 0;
}

/* A fatal misuse arrives as one runtime_error of @code, from the
 * child's pid, with the text libmn printed after "fatal error: ", and
 * the child exits 2. */
static void expect_error(struct __test_metadata *_metadata, enum mode m,
			 unsigned int code)
{
	struct run r;
	char want[200];

	ASSERT_EQ(0, run(_metadata, m, &r));
	TH_LOG("stderr: %.200s", r.err);
	ASSERT_TRUE(WIFEXITED(r.status));
	EXPECT_EQ(2, WEXITSTATUS(r.status));
	ASSERT_EQ(1, r.ngot);
	EXPECT_EQ(MN_RING_RUNTIME_ERROR, r.got[0].kind);
	EXPECT_EQ(code, r.got[0].error.code);
	EXPECT_EQ(r.pid, (pid_t)r.got[0].pid);
	snprintf(want, sizeof(want), "fatal error: %s\n", r.got[0].error.msg);
	EXPECT_NE(NULL, strstr(r.err, want)) TH_LOG("ring says \"%s\"", r.got[0].error.msg);
	EXPECT_EQ(0, r.st.invalid);
	EXPECT_EQ(0, r.st.lost);
}

/* Each fatal misuse libmn has a code for. */
TEST(send_on_closed_channel) { expect_error(_metadata, SEND_CLOSED, MN_RING_ERR_SEND_CLOSED); }
TEST(close_of_closed_channel) { expect_error(_metadata, CLOSE_CLOSED, MN_RING_ERR_CLOSE_CLOSED); }
TEST(close_of_nil_channel) { expect_error(_metadata, CLOSE_NIL, MN_RING_ERR_CLOSE_NIL); }
TEST(unlock_of_unlocked_mutex) { expect_error(_metadata, UNLOCK_UNLOCKED, MN_RING_ERR_UNLOCK_UNLOCKED); }
TEST(negative_waitgroup) { expect_error(_metadata, WG_NEGATIVE, MN_RING_ERR_WG_NEGATIVE); }
TEST(call_outside_a_task) { expect_error(_metadata, OUTSIDE_TASK, MN_RING_ERR_OUTSIDE_TASK); }

/* The deadlock verdict: the one runtime_error with no task. */
TEST(deadlock)
{
	struct run r;

	ASSERT_EQ(0, run(_metadata, DEADLOCK, &r));
	ASSERT_TRUE(WIFEXITED(r.status));
	EXPECT_EQ(2, WEXITSTATUS(r.status));
	ASSERT_EQ(1, r.ngot);
	EXPECT_EQ(MN_RING_ERR_DEADLOCK, r.got[0].error.code);
	EXPECT_NE(NULL, strstr(r.err, "fatal error: all tasks are asleep - deadlock!"));
}

/* A runtime error carries the stack of the call that made it, down to
 * the program's own function that called libmn (program() above: a
 * return address inside it; the child is a fork, so the same address). */
TEST(error_has_a_stack)
{
	unsigned long lo = (unsigned long)program, pc;
	bool in_program = false;
	struct run r;

	ASSERT_EQ(0, run(_metadata, SEND_CLOSED, &r));
	ASSERT_EQ(1, r.ngot);
	ASSERT_LT(0, r.got[0].error.depth);
	for (unsigned int i = 0; i < r.got[0].error.depth; i++) {
		pc = r.got[0].error.stack[i];
		in_program |= pc > lo && pc < lo + 1024;
	}
	EXPECT_TRUE(in_program) TH_LOG("%u frames, none in program()", r.got[0].error.depth);
}

/* At exit, a blocked task: one task_leak naming it, its creator and
 * where it blocks, as the stderr line does. */
TEST(task_leak)
{
	struct run r;
	char want[300];

	ASSERT_EQ(0, run(_metadata, TASK_LEAK, &r));
	EXPECT_EQ(0, WEXITSTATUS(r.status));
	ASSERT_EQ(1, r.ngot);
	EXPECT_EQ(MN_RING_TASK_LEAK, r.got[0].kind);
	snprintf(want, sizeof(want), "libmn: leak: task %llu %s by task %llu\n",
		 (unsigned long long)r.got[0].task_id, r.got[0].leak.msg,
		 (unsigned long long)r.got[0].leak.creator);
	EXPECT_NE(NULL, strstr(r.err, want)) TH_LOG("stderr: %s", r.err);
}

/* At exit, a context never cancelled: one ctx_leak with its creation
 * site. */
TEST(ctx_leak)
{
	struct run r;

	ASSERT_EQ(0, run(_metadata, CTX_LEAK, &r));
	ASSERT_EQ(1, r.ngot);
	EXPECT_EQ(MN_RING_CTX_LEAK, r.got[0].kind);
	EXPECT_NE(NULL, strstr(r.got[0].leak.msg, "leaky.c:42"));
	EXPECT_NE(NULL, strstr(r.err, "libmn: leak: context created at leaky.c:42"));
}

/* A thread a task left in a new uts namespace is retired: the record
 * names the thread, the uts bit, and the inode the task read itself. */
TEST(thread_retired)
{
	struct run r;

	ASSERT_EQ(0, run(_metadata, RETIRED, &r));
	EXPECT_EQ(0, WEXITSTATUS(r.status));
	ASSERT_EQ(1, r.ngot);
	EXPECT_EQ(MN_RING_THREAD_RETIRED, r.got[0].kind);
	EXPECT_EQ(1U << NSTAINT_NS_UTS, r.got[0].retired.ns_mask);
	EXPECT_EQ(r.ino, r.got[0].retired.ns_new[NSTAINT_NS_UTS]);
	EXPECT_NE(r.got[0].retired.ns_old[NSTAINT_NS_UTS], r.got[0].retired.ns_new[NSTAINT_NS_UTS]);
	EXPECT_NE(NULL, strstr(r.err, "retiring the thread"));
}

/* MN_RING=0: nothing is published (the registry says no ring). */
TEST(ring_off)
{
	struct mn_abi_ring ref;
	struct mn_proc mp;
	int ready[2], go[2];
	pid_t pid;
	char c;

	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	if (pid == 0) {
		setenv("MN_RING", "0", 1);
		ready_fd = ready[1];
		go_fd = go[0];
		mn_main(program, (void *)(long)OUTSIDE_TASK);
		_exit(0);
	}
	ASSERT_EQ(1, read(ready[0], &c, 1));
	/* It waits for go[] meanwhile, its registry in place. */
	ASSERT_EQ(0, mnattr_find(pid, &mp));
	EXPECT_EQ(-ENOENT, mnattr_ring(pid, mp.registry, &ref));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

TEST_HARNESS_MAIN
