// SPDX-License-Identifier: GPL-2.0-only
/*
 * nstaint.ko selftests; run inside the VM (scripts/vm-run) as root, with
 * the module at /nstaint.ko.  Not built for the host: it has no modules.
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
#include <unistd.h>
#include <nstaint/events.h>
#include "kselftest_harness.h"

static int load(const char *params)
{
	int fd = open("/nstaint.ko", O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, params, 0);
	close(fd);
	return ret;
}

static int unload(void)
{
	return syscall(SYS_delete_module, "nstaint", O_NONBLOCK);
}

FIXTURE(mod) {
	int fd;
};

FIXTURE_SETUP(mod)
{
	ASSERT_EQ(0, load("bufsize=64"));
	self->fd = open("/dev/nstaint", O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(mod)
{
	close(self->fd);
	EXPECT_EQ(0, unload());
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

static unsigned int net_inum(pid_t tid)
{
	char p[64];
	struct stat st;

	snprintf(p, sizeof(p), "/proc/self/task/%d/ns/net", tid);
	return stat(p, &st) ? 0 : (unsigned int)st.st_ino;
}

struct mover {
	pid_t tid;
	unsigned int before, after;
};

static void *unshare_net(void *arg)
{
	struct mover *m = arg;

	m->tid = gettid();
	m->before = net_inum(m->tid);
	if (unshare(CLONE_NEWNET))
		return NULL;
	m->after = net_inum(m->tid);
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

TEST_HARNESS_MAIN
