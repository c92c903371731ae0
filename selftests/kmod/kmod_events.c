// SPDX-License-Identifier: GPL-2.0-only
/*
 * nstaint.ko: the records of real namespace moves, per thread; the causes;
 * user namespaces through commit_creds; exec resetting the home set; a
 * blocked reader woken by a record; rmmod with a blocked reader; home
 * sets freed with their process; following one process tree; clone into
 * new namespaces.
 * Runs in the 6.1 VM (selftests/kmod/build.mk).
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include "kselftest_harness.h"
#include "kmod_lib.h"
#include "../lib/rawthread.h"

#define MAXEV	256

/* ---- three threads: unshare, setns into it, there and back --------- */

static pthread_barrier_t bar;
static pid_t tid_unshare, tid_setns, tid_roundtrip;
static unsigned int other_net;
static char other_path[64];

static void *t_unshare(void *arg)
{
	tid_unshare = gettid();
	if (unshare(CLONE_NEWNET))
		abort();
	snprintf(other_path, sizeof(other_path), "/proc/self/task/%d/ns/net",
		 tid_unshare);
	other_net = kmod_ino(other_path);
	pthread_barrier_wait(&bar);	/* 1: the netns exists */
	pthread_barrier_wait(&bar);	/* 2: the others are done */
	return NULL;
}

static void *t_setns(void *arg)
{
	int fd;

	tid_setns = gettid();
	pthread_barrier_wait(&bar);
	fd = open(other_path, O_RDONLY);
	if (fd < 0 || setns(fd, CLONE_NEWNET))
		abort();
	close(fd);
	pthread_barrier_wait(&bar);
	return NULL;
}

static void *t_roundtrip(void *arg)
{
	int fd, home = open("/proc/thread-self/ns/net", O_RDONLY);

	tid_roundtrip = gettid();
	pthread_barrier_wait(&bar);
	fd = open(other_path, O_RDONLY);
	if (fd < 0 || setns(fd, CLONE_NEWNET) || setns(home, CLONE_NEWNET))
		abort();
	close(fd);
	close(home);
	pthread_barrier_wait(&bar);
	return NULL;
}

/*
 * One thread unshares a netns, one setns's into it, one goes there and
 * back.  Each gets its own ns_change records (cause unshare or setns, the
 * inodes /proc showed), thread_tainted, and thread_restored for the one
 * that came back; the two left there exit tainted.  Ten records exactly.
 */
TEST(three_threads)
{
	static struct nstaint_event ev[MAXEV];
	unsigned int home_net = kmod_ino("/proc/self/ns/net");
	const struct nstaint_event *e;
	pthread_t t[3];
	int fd, n, i, rt = 0;

	ASSERT_EQ(0, kmod_load(""));
	fd = open(NSTAINT_DEV_PATH, O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, fd);
	pthread_barrier_init(&bar, NULL, 3);
	pthread_create(&t[0], NULL, t_unshare, NULL);
	pthread_create(&t[1], NULL, t_setns, NULL);
	pthread_create(&t[2], NULL, t_roundtrip, NULL);
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	n = kmod_read_n(fd, ev, MAXEV, 10, 2000);
	close(fd);
	EXPECT_EQ(0, kmod_unload());
	ASSERT_NE(0, other_net);
	ASSERT_NE(home_net, other_net);

	for (i = 0; i < n; i++) {
		e = &ev[i];
		EXPECT_EQ(getpid(), (pid_t)e->pid);
		EXPECT_EQ(home_net, e->ns_home[NSTAINT_NS_NET]);
		if (e->type != NSTAINT_EV_NS_CHANGE)
			continue;
		EXPECT_EQ(NSTAINT_NS_BIT(NSTAINT_NS_NET), e->changed_mask);
		if ((pid_t)e->tid == tid_unshare) {
			EXPECT_EQ(NSTAINT_CAUSE_UNSHARE, e->cause);
			EXPECT_EQ(home_net, e->ns_old[NSTAINT_NS_NET]);
			EXPECT_EQ(other_net, e->ns_new[NSTAINT_NS_NET]);
		} else if ((pid_t)e->tid == tid_setns) {
			EXPECT_EQ(NSTAINT_CAUSE_SETNS, e->cause);
			EXPECT_EQ(home_net, e->ns_old[NSTAINT_NS_NET]);
			EXPECT_EQ(other_net, e->ns_new[NSTAINT_NS_NET]);
		} else if ((pid_t)e->tid == tid_roundtrip) {
			EXPECT_EQ(NSTAINT_CAUSE_SETNS, e->cause);
			EXPECT_EQ(rt ? other_net : home_net,
				  e->ns_old[NSTAINT_NS_NET]);
			EXPECT_EQ(rt ? home_net : other_net,
				  e->ns_new[NSTAINT_NS_NET]);
			rt++;
		} else {
			TH_LOG("ns_change from unexpected tid %u", e->tid);
			EXPECT_TRUE(0);
		}
	}
	EXPECT_EQ(1, kmod_count(ev, n, NSTAINT_EV_NS_CHANGE, tid_unshare));
	EXPECT_EQ(1, kmod_count(ev, n, NSTAINT_EV_THREAD_TAINTED, tid_unshare));
	EXPECT_EQ(1, kmod_count(ev, n, NSTAINT_EV_THREAD_EXIT, tid_unshare));
	EXPECT_EQ(1, kmod_count(ev, n, NSTAINT_EV_NS_CHANGE, tid_setns));
	EXPECT_EQ(1, kmod_count(ev, n, NSTAINT_EV_THREAD_TAINTED, tid_setns));
	EXPECT_EQ(1, kmod_count(ev, n, NSTAINT_EV_THREAD_EXIT, tid_setns));
	EXPECT_EQ(2, kmod_count(ev, n, NSTAINT_EV_NS_CHANGE, tid_roundtrip));
	EXPECT_EQ(1, kmod_count(ev, n, NSTAINT_EV_THREAD_TAINTED,
				tid_roundtrip));
	EXPECT_EQ(1, kmod_count(ev, n, NSTAINT_EV_THREAD_RESTORED,
				tid_roundtrip));
	EXPECT_EQ(0, kmod_count(ev, n, NSTAINT_EV_THREAD_EXIT, tid_roundtrip));
	e = kmod_find(ev, n, NSTAINT_EV_THREAD_EXIT, tid_setns);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(other_net, e->ns_new[NSTAINT_NS_NET]);
	EXPECT_EQ(NSTAINT_NS_BIT(NSTAINT_NS_NET), e->tainted_mask);
	EXPECT_EQ(0, kmod_count(ev, n, NSTAINT_EV_LOST, 0));
	EXPECT_EQ(10, n);
}

/* ---- user namespace through commit_creds ---------------------------- */

/*
 * A single-threaded process that unshares its user namespace: one
 * ns_change with only the user bit changed, the old and new inodes
 * /proc shows, cause unshare; it moved whole (home_moved, not tainted).
 */
TEST(user_ns_through_commit_creds)
{
	struct nstaint_event ev[8];
	unsigned int before = kmod_ino("/proc/self/ns/user"), after = 0;
	const struct nstaint_event *e;
	int fd, n, p[2], status;
	pid_t pid;

	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, kmod_load(""));
	fd = open(NSTAINT_DEV_PATH, O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, fd);
	pid = fork();
	if (!pid) {
		unsigned int ino;

		if (unshare(CLONE_NEWUSER))
			_exit(1);
		ino = kmod_ino("/proc/self/ns/user");
		_exit(write(p[1], &ino, sizeof(ino)) == sizeof(ino) ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, status);
	ASSERT_EQ(sizeof(after), read(p[0], &after, sizeof(after)));
	n = kmod_read_n(fd, ev, 8, 1, 1000);
	close(fd);
	EXPECT_EQ(0, kmod_unload());
	EXPECT_EQ(1, kmod_count(ev, n, NSTAINT_EV_NS_CHANGE, pid));
	e = kmod_find(ev, n, NSTAINT_EV_NS_CHANGE, pid);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(NSTAINT_CAUSE_UNSHARE, e->cause);
	EXPECT_EQ(NSTAINT_NS_BIT(NSTAINT_NS_USER), e->changed_mask);
	EXPECT_EQ(before, e->ns_old[NSTAINT_NS_USER]);
	EXPECT_EQ(after, e->ns_new[NSTAINT_NS_USER]);
	EXPECT_NE(before, after);
	EXPECT_TRUE(e->flags & NSTAINT_F_HOME_MOVED);
	EXPECT_EQ(0, e->tainted_mask);
	EXPECT_EQ(0, kmod_count(ev, n, NSTAINT_EV_THREAD_TAINTED, pid));
}

/* ---- exec resets the home set ---------------------------------------- */

static void *t_taint_and_exec(void *arg)
{
	char *argv[] = { "sh", "-c", "/bin/true; /bin/true", NULL };

	if (unshare(CLONE_NEWNET))
		_exit(3);
	execv("/bin/sh", argv);
	_exit(4);
}

/*
 * A thread unshares its netns (tainted), then execs a shell that forks.
 * After exec the process's home is the set it has then: the thread is
 * restored (cause exec), under the tid it was tainted with, though it
 * takes the leader's at exec; the forks are not clone_from_tainted and
 * nothing exits tainted.  Without the exec hook the old home would make
 * every fork a clone from a tainted thread.
 */
TEST(exec_resets_home)
{
	static struct nstaint_event ev[MAXEV];
	const struct nstaint_event *t, *r;
	int fd, n, i, status;
	pid_t pid;

	ASSERT_EQ(0, kmod_load(""));
	fd = open(NSTAINT_DEV_PATH, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, fd);
	pid = fork();
	if (!pid) {
		pthread_t t;

		pthread_create(&t, NULL, t_taint_and_exec, NULL);
		pause();
		_exit(5);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	n = kmod_read_n(fd, ev, MAXEV, 3, 1000);
	close(fd);
	EXPECT_EQ(0, kmod_unload());
	/* The unshare: ns_change and thread_tainted, from the thread. */
	EXPECT_EQ(1, kmod_count(ev, n, NSTAINT_EV_NS_CHANGE, 0));
	EXPECT_EQ(1, kmod_count(ev, n, NSTAINT_EV_THREAD_TAINTED, 0));
	EXPECT_EQ(1, kmod_count(ev, n, NSTAINT_EV_THREAD_RESTORED, 0));
	EXPECT_EQ(0, kmod_count(ev, n, NSTAINT_EV_CLONE_FROM_TAINTED, 0));
	EXPECT_EQ(0, kmod_count(ev, n, NSTAINT_EV_THREAD_EXIT, 0));
	EXPECT_EQ(3, n);
	for (t = NULL, i = 0; i < n && !t; i++)
		if (ev[i].type == NSTAINT_EV_THREAD_TAINTED)
			t = &ev[i];
	ASSERT_NE(NULL, t);
	EXPECT_NE(pid, (pid_t)t->tid);
	r = kmod_find(ev, n, NSTAINT_EV_THREAD_RESTORED, t->tid);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(pid, (pid_t)r->pid);
	EXPECT_EQ(NSTAINT_CAUSE_EXEC, r->cause);
	EXPECT_EQ(0, r->tainted_mask);
	EXPECT_EQ(t->ns_new[NSTAINT_NS_NET], r->ns_new[NSTAINT_NS_NET]);
	EXPECT_EQ(t->ns_new[NSTAINT_NS_NET], r->ns_home[NSTAINT_NS_NET]);
}

/* ---- clone into new namespaces ----------------------------------------- */

static struct raw_thread clone_thread;
static char clone_stack[16 * 1024] __attribute__((aligned(16)));
static int clone_go;

/* Until clone_go is set: a raw thread, system calls only. */
static int raw_wait_exit(void *arg)
{
	while (!__atomic_load_n(&clone_go, __ATOMIC_ACQUIRE))
		syscall(SYS_futex, &clone_go, FUTEX_WAIT, 0, NULL);
	syscall(SYS_exit, 0);
	return 0;
}

/* Until the parent closes the pipe @arg. */
static int proc_wait_exit(void *arg)
{
	int *p = arg;
	char c;

	close(p[1]);
	_exit(read(p[0], &c, 1) < 0);
}

/*
 * clone(2) with CLONE_NEWUTS: a thread (CLONE_THREAD) is born in a uts
 * namespace of its own, so it is tainted from birth: ns_change and
 * thread_tainted of cause clone, then thread_exit.  A process is born
 * moved whole: one ns_change, new_process and home_moved.  The inodes are
 * the ones /proc shows for the children, read while they wait.
 */
TEST(clone_into_new_ns)
{
	static struct nstaint_event ev[MAXEV];
	unsigned int home = kmod_ino("/proc/self/ns/uts"), thread_uts, proc_uts;
	const struct nstaint_event *e;
	int fd, n, status, p[2];
	char path[64];
	pid_t tid, pid;

	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, kmod_load(""));
	fd = open(NSTAINT_DEV_PATH, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, fd);
	tid = raw_thread_start(&clone_thread, raw_wait_exit, NULL,
			       CLONE_NEWUTS);
	ASSERT_LT(0, tid);
	thread_uts = kmod_thread_ns(tid, "uts");
	__atomic_store_n(&clone_go, 1, __ATOMIC_RELEASE);
	syscall(SYS_futex, &clone_go, FUTEX_WAKE, 1, NULL);
	raw_thread_join(&clone_thread);
	pid = clone(proc_wait_exit, clone_stack + sizeof(clone_stack),
		    CLONE_NEWUTS | SIGCHLD, p);
	ASSERT_LT(0, pid);
	snprintf(path, sizeof(path), "/proc/%d/ns/uts", pid);
	proc_uts = kmod_ino(path);
	close(p[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	n = kmod_read_n(fd, ev, MAXEV, 4, 1000);
	close(fd);
	EXPECT_EQ(0, kmod_unload());
	ASSERT_NE(0, thread_uts);
	ASSERT_NE(home, thread_uts);
	ASSERT_NE(0, proc_uts);
	ASSERT_NE(home, proc_uts);

	e = kmod_find(ev, n, NSTAINT_EV_NS_CHANGE, tid);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(NSTAINT_CAUSE_CLONE, e->cause);
	EXPECT_EQ(NSTAINT_NS_BIT(NSTAINT_NS_UTS), e->changed_mask);
	EXPECT_EQ(home, e->ns_old[NSTAINT_NS_UTS]);
	EXPECT_EQ(thread_uts, e->ns_new[NSTAINT_NS_UTS]);
	EXPECT_EQ(home, e->ns_home[NSTAINT_NS_UTS]);
	EXPECT_EQ(0, e->flags & (NSTAINT_F_HOME_MOVED | NSTAINT_F_NEW_PROCESS));
	EXPECT_EQ(getpid(), (pid_t)e->pid);
	EXPECT_EQ(gettid(), (pid_t)e->parent_tid);
	e = kmod_find(ev, n, NSTAINT_EV_THREAD_TAINTED, tid);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(NSTAINT_CAUSE_CLONE, e->cause);
	EXPECT_EQ(NSTAINT_NS_BIT(NSTAINT_NS_UTS), e->tainted_mask);
	EXPECT_EQ(thread_uts, e->ns_new[NSTAINT_NS_UTS]);
	EXPECT_EQ(1, kmod_count(ev, n, NSTAINT_EV_THREAD_EXIT, tid));

	e = kmod_find(ev, n, NSTAINT_EV_NS_CHANGE, pid);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(NSTAINT_CAUSE_CLONE, e->cause);
	EXPECT_EQ(NSTAINT_NS_BIT(NSTAINT_NS_UTS), e->changed_mask);
	EXPECT_EQ(home, e->ns_old[NSTAINT_NS_UTS]);
	EXPECT_EQ(proc_uts, e->ns_new[NSTAINT_NS_UTS]);
	EXPECT_EQ(proc_uts, e->ns_home[NSTAINT_NS_UTS]);
	EXPECT_EQ(0, e->tainted_mask);
	EXPECT_EQ(NSTAINT_F_HOME_MOVED | NSTAINT_F_NEW_PROCESS,
		  e->flags & (NSTAINT_F_HOME_MOVED | NSTAINT_F_NEW_PROCESS));
	EXPECT_EQ(4, n);
}

/* ---- a blocked reader is woken by a record ---------------------------- */

static int blocked_fd;
static volatile int blocked_done;
static ssize_t blocked_ret;
static int blocked_errno;

static void *t_blocked_read(void *arg)
{
	struct nstaint_event ev[4];

	blocked_ret = read(blocked_fd, ev, sizeof(ev));
	blocked_errno = errno;
	blocked_done = 1;
	return NULL;
}

static void *t_blocked_poll(void *arg)
{
	struct pollfd pfd = { .fd = blocked_fd, .events = POLLIN };

	blocked_ret = poll(&pfd, 1, -1);
	blocked_errno = pfd.revents;
	blocked_done = 1;
	return NULL;
}

static void *t_unshare_uts(void *arg)
{
	*(int *)arg = unshare(CLONE_NEWUTS);
	return NULL;
}

/* A blocking read(), then a poll() with no timeout, each asleep on an
 * empty device, return once another thread's unshare queues a record. */
TEST(blocked_reader_woken_by_record)
{
	void *(*waiters[2])(void *) = { t_blocked_read, t_blocked_poll };
	pthread_t w, u;
	int i, ret;

	ASSERT_EQ(0, kmod_load(""));
	blocked_fd = open(NSTAINT_DEV_PATH, O_RDONLY);
	ASSERT_LE(0, blocked_fd);
	for (i = 0; i < 2; i++) {
		blocked_done = 0;
		ASSERT_EQ(0, pthread_create(&w, NULL, waiters[i], NULL));
		usleep(300000);
		EXPECT_EQ(0, blocked_done);	/* asleep, nothing to read */
		ret = -1;
		pthread_create(&u, NULL, t_unshare_uts, &ret);
		pthread_join(u, NULL);
		ASSERT_EQ(0, ret);
		pthread_join(w, NULL);
		EXPECT_EQ(1, blocked_done);
		if (i == 0) {
			/* Whole records, at least the ns_change. */
			EXPECT_LE((ssize_t)sizeof(struct nstaint_event),
				  blocked_ret);
			EXPECT_EQ(0, blocked_ret %
				  (ssize_t)sizeof(struct nstaint_event));
		} else {
			EXPECT_EQ(1, blocked_ret);
			EXPECT_TRUE(blocked_errno & POLLIN);
		}
		/* Empty it for the next waiter. */
		fcntl(blocked_fd, F_SETFL, O_NONBLOCK);
		usleep(100000);
		while (read(blocked_fd, &(struct nstaint_event){ 0 },
			    sizeof(struct nstaint_event)) > 0)
			;
		fcntl(blocked_fd, F_SETFL, 0);
	}
	close(blocked_fd);
	EXPECT_EQ(0, kmod_unload());
}

static void on_usr1(int sig)
{
}

/*
 * rmmod while a reader sleeps in read() is refused: the open file pins the
 * module (the documented semantics; no reader is ever left blocked on a
 * module that is gone).  A signal wakes the reader (EINTR), it closes, and
 * then the module unloads.
 */
TEST(rmmod_with_blocked_reader)
{
	struct sigaction sa = { .sa_handler = on_usr1 };	/* no restart */
	pthread_t t;

	sigaction(SIGUSR1, &sa, NULL);
	ASSERT_EQ(0, kmod_load(""));
	blocked_fd = open(NSTAINT_DEV_PATH, O_RDONLY);
	ASSERT_LE(0, blocked_fd);
	blocked_done = 0;
	pthread_create(&t, NULL, t_blocked_read, NULL);
	usleep(300000);
	EXPECT_EQ(-EWOULDBLOCK, kmod_unload());
	EXPECT_EQ(0, access(NSTAINT_DEV_PATH, F_OK));
	EXPECT_EQ(0, blocked_done);
	pthread_kill(t, SIGUSR1);
	pthread_join(t, NULL);
	EXPECT_EQ(-1, blocked_ret);
	EXPECT_EQ(EINTR, blocked_errno);
	close(blocked_fd);
	EXPECT_EQ(0, kmod_unload());
}

/* ---- home sets are freed with their process ---------------------------- */

static void *t_park(void *arg)
{
	if (arg && unshare(CLONE_NEWUTS))
		abort();
	pause();
	return NULL;
}

/*
 * 40 processes, each with four threads (one of them tainted), end with
 * exit_group, so their threads exit together.  The module then holds as
 * many home sets as before they started: each was freed when the last
 * thread of its process exited, not at unload.
 */
TEST(home_sets_freed_at_last_exit)
{
	long long before, peak, after;
	pid_t pids[40];
	int i, j, fd, status, p[2];
	char c;

	ASSERT_EQ(0, kmod_load(""));
	fd = open(NSTAINT_DEV_PATH, O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, fd);
	/* Our own process gets its entry at its first fork; then count. */
	pids[0] = fork();
	if (!pids[0])
		_exit(0);
	ASSERT_EQ(pids[0], waitpid(pids[0], &status, 0));
	before = kmod_param("processes");
	ASSERT_LE(0, before);
	ASSERT_EQ(0, pipe(p));
	for (i = 0; i < 40; i++) {
		pids[i] = fork();
		if (!pids[i]) {
			pthread_t t;

			close(p[1]);
			for (j = 0; j < 3; j++)
				pthread_create(&t, NULL, t_park,
					       j ? NULL : (void *)1);
			/* Until the parent closes the pipe. */
			while (read(p[0], &c, 1) > 0)
				;
			exit(0);	/* exit_group: all four at once */
		}
	}
	close(p[0]);
	usleep(300000);
	peak = kmod_param("processes");
	close(p[1]);
	for (i = 0; i < 40; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_EQ(0, status);
	}
	after = kmod_param("processes");
	TH_LOG("home sets: %lld before, %lld while running, %lld after",
	       before, peak, after);
	EXPECT_EQ(before + 40, peak);
	EXPECT_EQ(before, after);
	EXPECT_EQ(0, kmod_param("untracked"));
	close(fd);
	EXPECT_EQ(0, kmod_unload());
}

/* ---- following one process tree --------------------------------------- */

static void *t_unshare_net(void *arg)
{
	if (unshare(CLONE_NEWNET))
		abort();
	return NULL;
}

/* A process whose thread unshares net when the pipe gives it a byte. */
static pid_t spawn_mover(int *go, bool fork_first)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p))
		return -1;
	pid = fork();
	if (!pid) {
		pthread_t t;

		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			_exit(1);
		if (fork_first && fork() > 0) {
			wait(NULL);
			_exit(0);
		}
		pthread_create(&t, NULL, t_unshare_net, NULL);
		pthread_join(t, NULL);
		_exit(0);
	}
	close(p[0]);
	*go = p[1];
	return pid;
}

/*
 * NSTAINT_IOC_FOLLOW: with one process followed, the records of another
 * that moves the same way are not queued, and a child the followed one
 * forks is followed too.  An unknown pid is ESRCH.
 */
TEST(follow_one_tree)
{
	static struct nstaint_event ev[MAXEV];
	int fd, n, i, go_a, go_b, followed = 0, others = 0;
	pid_t a, b;
	__u32 pid;

	ASSERT_EQ(0, kmod_load(""));
	a = spawn_mover(&go_a, true);
	b = spawn_mover(&go_b, false);
	ASSERT_LT(0, a);
	ASSERT_LT(0, b);
	fd = open(NSTAINT_DEV_PATH, O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, fd);
	pid = 999999;
	EXPECT_EQ(-1, ioctl(fd, NSTAINT_IOC_FOLLOW, &pid));
	EXPECT_EQ(ESRCH, errno);
	pid = a;
	ASSERT_EQ(0, ioctl(fd, NSTAINT_IOC_FOLLOW, &pid));
	ASSERT_EQ(1, write(go_a, "g", 1));
	ASSERT_EQ(1, write(go_b, "g", 1));
	waitpid(a, NULL, 0);
	waitpid(b, NULL, 0);
	n = kmod_read_n(fd, ev, MAXEV, 3, 1000);
	close(fd);
	close(go_a);
	close(go_b);
	EXPECT_EQ(0, kmod_unload());
	for (i = 0; i < n; i++) {
		if ((pid_t)ev[i].pid == b)
			others++;
		else if ((pid_t)ev[i].pid != a)
			followed++;	/* a's child */
	}
	/* a's child: ns_change, thread_tainted, thread_exit. */
	EXPECT_EQ(3, followed);
	EXPECT_EQ(0, others);
	EXPECT_EQ(3, n);
}

TEST_HARNESS_MAIN
