// SPDX-License-Identifier: GPL-2.0-only
/*
 * nstaint.ko selftests of the device: permissions, one reader, read sizes,
 * the records of one thread, overflow, load/unload cycles.  Run inside the
 * VM (scripts/vm-run) as root, with the module at /nstaint.ko; not built
 * for the host: it has no modules.  kmod_events.c and kmod_stress.c test
 * the rest.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "kmod_lib.h"

FIXTURE(mod) {
	int fd;
};

FIXTURE_SETUP(mod)
{
	ASSERT_EQ(0, kmod_load("bufsize=64"));
	self->fd = open("/dev/nstaint", O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(mod)
{
	close(self->fd);
	EXPECT_EQ(0, kmod_unload());
}

/* The device exists as a root-only (0600) character device. */
TEST_F(mod, permissions)
{
	struct stat st;

	ASSERT_EQ(0, stat("/dev/nstaint", &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 0777);
	EXPECT_EQ(0, st.st_uid);
}

/* A second reader is refused with EBUSY while the first holds it. */
TEST_F(mod, one_reader)
{
	EXPECT_EQ(-1, open("/dev/nstaint", O_RDONLY));
	EXPECT_EQ(EBUSY, errno);
}

/* A read smaller than one record is EINVAL; empty nonblocking is EAGAIN. */
TEST_F(mod, read_sizes)
{
	struct nstaint_event ev;

	EXPECT_EQ(-1, read(self->fd, &ev, sizeof(ev) - 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, read(self->fd, &ev, sizeof(ev)));
	EXPECT_EQ(EAGAIN, errno);
}

struct mover {
	pid_t tid;
	unsigned int before, after;
};

static void *unshare_net(void *arg)
{
	struct mover *m = arg;

	m->tid = gettid();
	m->before = kmod_thread_ns(m->tid, "net");
	if (unshare(CLONE_NEWNET))
		return NULL;
	m->after = kmod_thread_ns(m->tid, "net");
	return NULL;
}

/*
 * A thread of a multithreaded process that unshares its netns produces
 * ns_change then thread_tainted, with the inodes /proc shows for it, and
 * poll() reports the device readable.
 */
TEST_F(mod, thread_unshare_taints)
{
	struct nstaint_event ev[4];
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN };
	struct mover m = { 0 };
	pthread_t t;
	ssize_t n, got = 0;

	ASSERT_EQ(0, pthread_create(&t, NULL, unshare_net, &m));
	ASSERT_EQ(0, pthread_join(t, NULL));
	ASSERT_NE(0, m.after);
	ASSERT_NE(m.before, m.after);
	/* The exit record can follow pthread_join (futex wake is earlier). */
	while (got < (ssize_t)(3 * sizeof(ev[0]))) {
		ASSERT_EQ(1, poll(&pfd, 1, 5000));
		n = read(self->fd, (char *)ev + got, sizeof(ev) - got);
		ASSERT_LT(0, n);
		got += n;
	}
	EXPECT_EQ(NSTAINT_EV_NS_CHANGE, ev[0].type);
	EXPECT_EQ((__u32)m.tid, ev[0].tid);
	EXPECT_EQ((__u32)getpid(), ev[0].pid);
	EXPECT_EQ(m.before, ev[0].ns_old[NSTAINT_NS_NET]);
	EXPECT_EQ(m.after, ev[0].ns_new[NSTAINT_NS_NET]);
	EXPECT_EQ(NSTAINT_NS_BIT(NSTAINT_NS_NET), ev[0].changed_mask);
	EXPECT_EQ(NSTAINT_EV_THREAD_TAINTED, ev[1].type);
	EXPECT_EQ(m.before, ev[1].ns_home[NSTAINT_NS_NET]);
	EXPECT_EQ(NSTAINT_NS_BIT(NSTAINT_NS_NET), ev[1].tainted_mask);
	/* The tainted thread then exited. */
	EXPECT_EQ(NSTAINT_EV_THREAD_EXIT, ev[2].type);
	EXPECT_EQ((__u32)m.tid, ev[2].tid);
}

static void *mover_back(void *arg)
{
	struct mover *m = arg;
	int home = open("/proc/self/ns/net", O_RDONLY);

	m->tid = gettid();
	m->before = kmod_thread_ns(m->tid, "net");
	if (home < 0 || unshare(CLONE_NEWNET))
		return NULL;
	m->after = kmod_thread_ns(m->tid, "net");
	if (setns(home, CLONE_NEWNET))
		m->after = 0;
	close(home);
	return NULL;
}

/*
 * A thread that moves and comes back gives ns_change, thread_tainted,
 * ns_change, thread_restored, and no thread_exit (it is clean again).
 */
TEST_F(mod, move_and_back_restores)
{
	struct nstaint_event ev[4];
	struct mover m = { 0 };
	pthread_t t;

	ASSERT_EQ(0, pthread_create(&t, NULL, mover_back, &m));
	ASSERT_EQ(0, pthread_join(t, NULL));
	ASSERT_NE(0, m.after);
	ASSERT_EQ(4, kmod_read_n(self->fd, ev, 4, 4, 5000));
	EXPECT_EQ(NSTAINT_EV_NS_CHANGE, ev[0].type);
	EXPECT_EQ(NSTAINT_EV_THREAD_TAINTED, ev[1].type);
	EXPECT_EQ(NSTAINT_EV_NS_CHANGE, ev[2].type);
	EXPECT_EQ(m.after, ev[2].ns_old[NSTAINT_NS_NET]);
	EXPECT_EQ(m.before, ev[2].ns_new[NSTAINT_NS_NET]);
	EXPECT_EQ(NSTAINT_EV_THREAD_RESTORED, ev[3].type);
	EXPECT_EQ((__u32)m.tid, ev[3].tid);
	EXPECT_EQ(0, ev[3].tainted_mask);
	usleep(100000);
	EXPECT_EQ(0, kmod_read_n(self->fd, ev, 1, 1, 0));
}

static void *noop(void *arg)
{
	return NULL;
}

static void *taint_then_clone(void *arg)
{
	struct mover *m = arg;
	pthread_t t;

	m->tid = gettid();
	if (unshare(CLONE_NEWNET))
		return NULL;
	m->after = kmod_thread_ns(m->tid, "net");
	if (pthread_create(&t, NULL, noop, NULL) == 0)
		pthread_join(t, NULL);
	return NULL;
}

/* A thread cloned by a tainted thread is reported with its parent tid. */
TEST_F(mod, clone_from_tainted)
{
	struct nstaint_event ev[8];
	struct mover m = { 0 };
	pthread_t t;
	int i, n, found = 0;

	ASSERT_EQ(0, pthread_create(&t, NULL, taint_then_clone, &m));
	ASSERT_EQ(0, pthread_join(t, NULL));
	ASSERT_NE(0, m.after);
	n = kmod_read_n(self->fd, ev, 8, 5, 5000);
	for (i = 0; i < n; i++) {
		if (ev[i].type != NSTAINT_EV_CLONE_FROM_TAINTED)
			continue;
		found++;
		EXPECT_EQ((__u32)m.tid, ev[i].parent_tid);
		EXPECT_EQ(m.after, ev[i].ns_new[NSTAINT_NS_NET]);
		EXPECT_TRUE(ev[i].clone_flags & CLONE_THREAD);
	}
	EXPECT_EQ(1, found);
}

/*
 * Overflow: with bufsize=8 and 40 unshares by one single-threaded child
 * (one ns_change each), records delivered + lost counts == 40.
 */
TEST(overflow_counts_lost)
{
	struct nstaint_event ev[64];
	__u64 changes = 0, lost = 0;
	int fd, i, n, status;
	pid_t pid;

	ASSERT_EQ(0, kmod_load("bufsize=8"));
	fd = open("/dev/nstaint", O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, fd);
	pid = fork();
	if (pid == 0) {
		for (i = 0; i < 40; i++)
			if (unshare(CLONE_NEWUTS))
				_exit(1);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, status);
	for (;;) {
		n = read(fd, ev, sizeof(ev));
		if (n <= 0)
			break;
		for (i = 0; i < n / (int)sizeof(ev[0]); i++) {
			if (ev[i].type == NSTAINT_EV_LOST)
				lost += ev[i].count;
			else if (ev[i].type == NSTAINT_EV_NS_CHANGE &&
				 ev[i].pid == (__u32)pid)
				changes++;
		}
	}
	close(fd);
	EXPECT_LT(0, lost);
	EXPECT_EQ(40, changes + lost);
	EXPECT_EQ(0, kmod_unload());
}

/* Twenty load/unload cycles with a reader opened and closed each time. */
TEST(load_unload_cycles)
{
	int i, fd;

	for (i = 0; i < 20; i++) {
		ASSERT_EQ(0, kmod_load("bufsize=16"));
		fd = open("/dev/nstaint", O_RDONLY);
		ASSERT_LE(0, fd);
		/* An open reader pins the module: rmmod is refused. */
		EXPECT_EQ(-EWOULDBLOCK, kmod_unload());
		close(fd);
		ASSERT_EQ(0, kmod_unload());
	}
}

TEST_HARNESS_MAIN
