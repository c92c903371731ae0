// SPDX-License-Identifier: GPL-2.0-only
/*
 * Selftests of nstaint.ko.  They load and unload the module themselves
 * (finit_module/delete_module), so they run only where modules can be
 * loaded: inside the 6.1 VM (selftests/vm), as root, from the repo top
 * (NSTAINT_KO overrides the module path, NSTAINT_STRESS_SECONDS the
 * stress time).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include <nstaint/events.h>
#include "backend.h"

#define DEV	"/dev/nstaint"
#define MAXEV	4096

static const char *ko_path(void)
{
	const char *p = getenv("NSTAINT_KO");

	return p && *p ? p : "kmod/nstaint.ko";
}

static int load(const char *params)
{
	int fd = open(ko_path(), O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0);
	ret = ret ? -errno : 0;
	close(fd);
	return ret;
}

static int unload(void)
{
	return syscall(SYS_delete_module, "nstaint", O_NONBLOCK) ? -errno : 0;
}

static pid_t gettid_(void)
{
	return syscall(SYS_gettid);
}

static __u32 ino_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : st.st_ino;
}

/* Read every record available now (non-blocking) into @ev. */
static int drain(int fd, struct nstaint_event *ev, int max)
{
	int n = 0;
	ssize_t r;

	while (n < max) {
		r = read(fd, ev + n, (max - n) * sizeof(*ev));
		if (r <= 0)
			break;
		n += r / sizeof(*ev);
	}
	return n;
}

/* Read until @want records came or @ms passed: a thread's exit record
 * can follow pthread_join, which returns as the thread leaves its mm. */
static int drain_wait(int fd, struct nstaint_event *ev, int max, int want,
		      int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int n = drain(fd, ev, max);

	while (n < want && ms > 0) {
		poll(&pfd, 1, 50);
		ms -= 50;
		n += drain(fd, ev + n, max - n);
	}
	return n;
}

/* delete_module, retried while short-lived forked children still hold a
 * copy of the reader's file descriptor. */
static int unload_retry(void)
{
	int i, ret = unload();

	for (i = 0; ret == -EAGAIN && i < 40; i++) {
		usleep(50000);
		ret = unload();
	}
	return ret;
}

static int count_type(struct nstaint_event *ev, int n, int type, pid_t tid)
{
	int i, c = 0;

	for (i = 0; i < n; i++)
		if (ev[i].type == type && (!tid || ev[i].tid == (__u32)tid))
			c++;
	return c;
}

/* Loading makes /dev/nstaint and the sysfs statistics; unloading removes them. */
TEST(load_unload)
{
	struct stat st;

	ASSERT_EQ(0, load(""));
	EXPECT_EQ(0, stat(DEV, &st));
	EXPECT_EQ(0, access("/sys/class/misc/nstaint/events", R_OK));
	EXPECT_EQ(0, access("/sys/class/misc/nstaint/dropped", R_OK));
	ASSERT_EQ(0, unload());
	EXPECT_EQ(-1, stat(DEV, &st));
	EXPECT_EQ(-1, access("/sys/module/nstaint", F_OK));
	/* A bad ring size is refused, and nothing is left behind. */
	EXPECT_EQ(-EINVAL, load("ring_size=1"));
	EXPECT_EQ(-ENOENT, unload());
}

/* /dev/nstaint is a root-only (0600) character device, read-only. */
TEST(permissions)
{
	struct stat st;
	pid_t pid;
	int status, fd;

	ASSERT_EQ(0, load(""));
	ASSERT_EQ(0, stat(DEV, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600, (int)(st.st_mode & 07777));
	EXPECT_EQ(0, (int)st.st_uid);
	fd = open(DEV, O_RDWR);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(EINVAL, errno);
	pid = fork();
	if (!pid) {
		if (setgid(65534) || setuid(65534))
			_exit(3);
		fd = open(DEV, O_RDONLY);
		_exit(fd < 0 && errno == EACCES ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0, unload());
}

/* One reader at a time: a second open gets EBUSY until the first closes. */
TEST(one_reader)
{
	int a, b;

	ASSERT_EQ(0, load(""));
	a = open(DEV, O_RDONLY);
	ASSERT_LE(0, a);
	b = open(DEV, O_RDONLY);
	EXPECT_EQ(-1, b);
	EXPECT_EQ(EBUSY, errno);
	/* The open reader pins the module. */
	EXPECT_NE(0, unload());
	close(a);
	b = open(DEV, O_RDONLY);
	EXPECT_LE(0, b);
	close(b);
	EXPECT_EQ(0, unload());
}

static void *unshare_net(void *arg)
{
	*(int *)arg = unshare(CLONE_NEWNET);
	return NULL;
}

/* poll() waits for records; read() needs room for one whole record and
 * returns whole ones; O_NONBLOCK reads of an empty ring give EAGAIN. */
TEST(poll_and_read)
{
	struct nstaint_event ev[8];
	struct pollfd pfd;
	pthread_t t;
	char small[16];
	int fd, ret = -1;
	ssize_t n;

	ASSERT_EQ(0, load(""));
	fd = open(DEV, O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, fd);
	pfd.fd = fd;
	pfd.events = POLLIN;
	EXPECT_EQ(0, poll(&pfd, 1, 200));
	EXPECT_EQ(-1, read(fd, ev, sizeof(ev)));
	EXPECT_EQ(EAGAIN, errno);

	ASSERT_EQ(0, pthread_create(&t, NULL, unshare_net, &ret));
	pthread_join(t, NULL);
	ASSERT_EQ(0, ret);
	EXPECT_EQ(1, poll(&pfd, 1, 2000));
	EXPECT_TRUE(pfd.revents & POLLIN);
	EXPECT_EQ(-1, read(fd, small, sizeof(small)));
	EXPECT_EQ(EINVAL, errno);
	n = read(fd, ev, sizeof(ev));
	EXPECT_EQ(0, n % (ssize_t)sizeof(ev[0]));
	/* ns_change, thread_tainted, thread_exit. */
	n = n / sizeof(ev[0]) + drain_wait(fd, ev + n / sizeof(ev[0]),
					   8 - n / sizeof(ev[0]), 1, 2000);
	EXPECT_EQ(3, n);
	EXPECT_EQ(NSTAINT_ABI_VERSION, ev[0].version);
	EXPECT_EQ(sizeof(ev[0]), ev[0].size);
	EXPECT_EQ(NSTAINT_EV_NS_CHANGE, ev[0].type);
	EXPECT_EQ(NSTAINT_CAUSE_UNSHARE, ev[0].cause);
	EXPECT_EQ(NSTAINT_EV_THREAD_TAINTED, ev[1].type);
	EXPECT_EQ(NSTAINT_EV_THREAD_EXIT, ev[2].type);
	close(fd);
	EXPECT_EQ(0, unload());
}

/* ---- three threads moving, per-thread events ---------------------- */

static pthread_barrier_t bar;
static __u32 home_net, other_net;
static pid_t tid_unshare, tid_setns, tid_roundtrip;
static char other_path[64];

static void *t_unshare(void *arg)
{
	tid_unshare = gettid_();
	if (unshare(CLONE_NEWNET))
		abort();
	snprintf(other_path, sizeof(other_path), "/proc/self/task/%d/ns/net",
		 tid_unshare);
	other_net = ino_of(other_path);
	pthread_barrier_wait(&bar);	/* 1: netns exists */
	pthread_barrier_wait(&bar);	/* 2: others done */
	return NULL;
}

static void *t_setns(void *arg)
{
	int fd;

	tid_setns = gettid_();
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
	int fd, home;

	tid_roundtrip = gettid_();
	home = open("/proc/self/ns/net", O_RDONLY);
	pthread_barrier_wait(&bar);
	fd = open(other_path, O_RDONLY);
	if (fd < 0 || setns(fd, CLONE_NEWNET) || setns(home, CLONE_NEWNET))
		abort();
	close(fd);
	close(home);
	pthread_barrier_wait(&bar);
	return NULL;
}

/* One thread unshares a netns, one setns's into it, one goes there and
 * back: each gets its ns_change with the right old/new inodes, then
 * tainted (or tainted then restored); the two left there exit tainted. */
TEST(threads_move)
{
	static struct nstaint_event ev[MAXEV];
	pthread_t t[3];
	int fd, n, i, seen_rt = 0;

	home_net = ino_of("/proc/self/ns/net");
	ASSERT_EQ(0, load(""));
	fd = open(DEV, O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, fd);
	pthread_barrier_init(&bar, NULL, 3);
	pthread_create(&t[0], NULL, t_unshare, NULL);
	pthread_create(&t[1], NULL, t_setns, NULL);
	pthread_create(&t[2], NULL, t_roundtrip, NULL);
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	n = drain_wait(fd, ev, MAXEV, 10, 2000);
	close(fd);
	EXPECT_EQ(0, unload());
	ASSERT_NE(0, (int)other_net);
	ASSERT_NE(home_net, other_net);

	for (i = 0; i < n; i++) {
		struct nstaint_event *e = &ev[i];

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
			__u32 from = seen_rt ? other_net : home_net;
			__u32 to = seen_rt ? home_net : other_net;

			EXPECT_EQ(from, e->ns_old[NSTAINT_NS_NET]);
			EXPECT_EQ(to, e->ns_new[NSTAINT_NS_NET]);
			seen_rt++;
		} else {
			TH_LOG("unexpected ns_change from tid %u", e->tid);
			EXPECT_TRUE(0);
		}
	}
	EXPECT_EQ(1, count_type(ev, n, NSTAINT_EV_NS_CHANGE, tid_unshare));
	EXPECT_EQ(1, count_type(ev, n, NSTAINT_EV_THREAD_TAINTED, tid_unshare));
	EXPECT_EQ(1, count_type(ev, n, NSTAINT_EV_THREAD_EXIT, tid_unshare));
	EXPECT_EQ(1, count_type(ev, n, NSTAINT_EV_NS_CHANGE, tid_setns));
	EXPECT_EQ(1, count_type(ev, n, NSTAINT_EV_THREAD_TAINTED, tid_setns));
	EXPECT_EQ(1, count_type(ev, n, NSTAINT_EV_THREAD_EXIT, tid_setns));
	EXPECT_EQ(2, count_type(ev, n, NSTAINT_EV_NS_CHANGE, tid_roundtrip));
	EXPECT_EQ(1, count_type(ev, n, NSTAINT_EV_THREAD_TAINTED, tid_roundtrip));
	EXPECT_EQ(1, count_type(ev, n, NSTAINT_EV_THREAD_RESTORED, tid_roundtrip));
	EXPECT_EQ(0, count_type(ev, n, NSTAINT_EV_THREAD_EXIT, tid_roundtrip));
	EXPECT_EQ(0, count_type(ev, n, NSTAINT_EV_LOST, 0));
	EXPECT_EQ(10, n);
}

/* ---- clone from a tainted thread ---------------------------------- */

static pid_t clone_thread_tid, fork_pid, tainted_tid;

static void *t_child(void *arg)
{
	clone_thread_tid = gettid_();
	return NULL;
}

static void *t_tainted_cloner(void *arg)
{
	pthread_t c;

	tainted_tid = gettid_();
	if (unshare(CLONE_NEWNET))
		abort();
	pthread_create(&c, NULL, t_child, NULL);
	pthread_join(c, NULL);
	fork_pid = fork();
	if (!fork_pid)
		_exit(0);
	waitpid(fork_pid, NULL, 0);
	return NULL;
}

/* A thread and a process cloned by a tainted thread are reported as
 * clone_from_tainted, carrying the parent's tid and the tainted netns;
 * the process is flagged NEW_PROCESS.  A forked child's home set is its
 * own, so its exit is not reported; the tainted threads' exits are. */
TEST(clone_from_tainted)
{
	static struct nstaint_event ev[MAXEV];
	struct nstaint_event *th = NULL, *pr = NULL;
	pthread_t t;
	int fd, n, i;

	home_net = ino_of("/proc/self/ns/net");
	ASSERT_EQ(0, load(""));
	fd = open(DEV, O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, fd);
	pthread_create(&t, NULL, t_tainted_cloner, NULL);
	pthread_join(t, NULL);
	/* unshare: 2, two clones, two tainted exits */
	n = drain_wait(fd, ev, MAXEV, 6, 2000);
	close(fd);
	EXPECT_EQ(0, unload());

	for (i = 0; i < n; i++) {
		if (ev[i].type != NSTAINT_EV_CLONE_FROM_TAINTED)
			continue;
		if ((pid_t)ev[i].tid == clone_thread_tid)
			th = &ev[i];
		else if ((pid_t)ev[i].pid == fork_pid)
			pr = &ev[i];
	}
	ASSERT_NE(NULL, th);
	ASSERT_NE(NULL, pr);
	EXPECT_EQ(tainted_tid, (pid_t)th->parent_tid);
	EXPECT_EQ(getpid(), (pid_t)th->pid);
	EXPECT_EQ(0, (int)(th->flags & NSTAINT_F_NEW_PROCESS));
	EXPECT_TRUE(!!(th->clone_flags & CLONE_THREAD));
	EXPECT_NE(home_net, th->ns_new[NSTAINT_NS_NET]);
	EXPECT_EQ(th->ns_old[NSTAINT_NS_NET], th->ns_new[NSTAINT_NS_NET]);
	EXPECT_EQ(NSTAINT_NS_BIT(NSTAINT_NS_NET), th->tainted_mask);
	EXPECT_EQ(tainted_tid, (pid_t)pr->parent_tid);
	EXPECT_TRUE(!!(pr->flags & NSTAINT_F_NEW_PROCESS));
	EXPECT_EQ(th->ns_new[NSTAINT_NS_NET], pr->ns_new[NSTAINT_NS_NET]);
	EXPECT_EQ(2, count_type(ev, n, NSTAINT_EV_CLONE_FROM_TAINTED, 0));
	EXPECT_EQ(1, count_type(ev, n, NSTAINT_EV_THREAD_EXIT, tainted_tid));
	EXPECT_EQ(1, count_type(ev, n, NSTAINT_EV_THREAD_EXIT, clone_thread_tid));
	EXPECT_EQ(0, count_type(ev, n, NSTAINT_EV_THREAD_EXIT, fork_pid));
}

/* ---- overflow ------------------------------------------------------ */

#define FLIPS 500

static int flips_done;

static void *t_flipper(void *arg)
{
	int home = open("/proc/self/ns/net", O_RDONLY), other, i;

	if (unshare(CLONE_NEWNET))
		abort();
	other = open("/proc/thread-self/ns/net", O_RDONLY);
	if (setns(home, CLONE_NEWNET))
		abort();
	for (i = 0; i < FLIPS; i++)
		if (setns(other, CLONE_NEWNET) || setns(home, CLONE_NEWNET))
			abort();
	flips_done = i;
	close(home);
	close(other);
	return NULL;
}

static long long read_stat(const char *name)
{
	char path[128];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/misc/nstaint/%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* A ring of 16 records and a storm of 2 + 2*FLIPS namespace changes (each
 * with its tainted/restored record): every record is either delivered or
 * counted in a `lost` record; the sum is exact, and the sysfs counter of
 * dropped records agrees. */
TEST(overflow)
{
	static struct nstaint_event ev[MAXEV];
	unsigned long long lost = 0;
	int fd, n, i, records = 0, changes = 0;
	int expected = 2 * (2 + 2 * FLIPS);
	pthread_t t;

	ASSERT_EQ(0, load("ring_size=16"));
	fd = open(DEV, O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, fd);
	pthread_create(&t, NULL, t_flipper, NULL);
	pthread_join(t, NULL);
	ASSERT_EQ(FLIPS, flips_done);
	n = drain(fd, ev, MAXEV);
	EXPECT_EQ(read_stat("dropped") > 0, 1);
	for (i = 0; i < n; i++) {
		if (ev[i].type == NSTAINT_EV_LOST) {
			lost += ev[i].count;
			continue;
		}
		records++;
		changes += ev[i].type == NSTAINT_EV_NS_CHANGE;
	}
	close(fd);
	TH_LOG("%d records delivered (%d ns_change), %llu lost, %d made",
	       records, changes, lost, expected);
	EXPECT_LE(records, 16);
	EXPECT_EQ(expected, records + (int)lost);
	EXPECT_EQ((long long)lost, read_stat("dropped"));
	EXPECT_EQ(0, unload());
}

/* ---- a blocked reader ----------------------------------------------- */

static void on_usr1(int sig)
{
}

static int blocked_fd, blocked_ret, blocked_errno;

static void *t_blocked_reader(void *arg)
{
	struct nstaint_event ev;

	blocked_ret = read(blocked_fd, &ev, sizeof(ev));
	blocked_errno = errno;
	return NULL;
}

/* rmmod while a reader sleeps in read() is refused (the open file pins
 * the module); the reader is woken by a signal, closes, and the module
 * then unloads. */
TEST(rmmod_blocked_reader)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	pthread_t t;

	sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART */
	ASSERT_EQ(0, load(""));
	blocked_fd = open(DEV, O_RDONLY);
	ASSERT_LE(0, blocked_fd);
	pthread_create(&t, NULL, t_blocked_reader, NULL);
	usleep(300000);
	EXPECT_NE(0, unload());
	pthread_kill(t, SIGUSR1);
	pthread_join(t, NULL);
	EXPECT_EQ(-1, blocked_ret);
	EXPECT_EQ(EINTR, blocked_errno);
	close(blocked_fd);
	EXPECT_EQ(0, unload());
}

/* ---- backend_kmod.c ------------------------------------------------ */

struct collect {
	int n;
	struct nstaint_event ev[64];
};

static int collect_fn(void *ctx, const struct nstaint_event *ev)
{
	struct collect *c = ctx;

	if (c->n < 64)
		c->ev[c->n++] = *ev;
	return 0;
}

/* The userspace backend says "module not loaded" without the module,
 * and with it delivers the records of an unshare through its poll. */
TEST(backend_kmod)
{
	struct backend b = { .ops = &backend_kmod_ops };
	struct backend b2 = { .ops = &backend_kmod_ops };
	static struct collect c;
	pthread_t t;
	int ret = -1, got = 0, i;

	EXPECT_EQ(-ENOENT, b.ops->open(&b));
	ASSERT_EQ(0, load(""));
	ASSERT_EQ(0, b.ops->open(&b));
	EXPECT_EQ(-EBUSY, b2.ops->open(&b2));
	EXPECT_EQ(0, b.ops->poll(&b, 100, collect_fn, &c));
	pthread_create(&t, NULL, unshare_net, &ret);
	pthread_join(t, NULL);
	ASSERT_EQ(0, ret);
	for (i = 0; i < 10 && got < 3; i++) {
		int r = b.ops->poll(&b, 500, collect_fn, &c);

		ASSERT_LE(0, r);
		got += r;
	}
	EXPECT_EQ(3, got);
	EXPECT_EQ(NSTAINT_EV_NS_CHANGE, c.ev[0].type);
	EXPECT_EQ(getpid(), (pid_t)c.ev[0].pid);
	EXPECT_NE(c.ev[0].ns_old[NSTAINT_NS_NET], c.ev[0].ns_new[NSTAINT_NS_NET]);
	EXPECT_EQ(NSTAINT_EV_THREAD_TAINTED, c.ev[1].type);
	EXPECT_EQ(NSTAINT_EV_THREAD_EXIT, c.ev[2].type);
	b.ops->close(&b);
	EXPECT_EQ(0, unload());
}

/* ---- stress ------------------------------------------------------- */

static volatile int stop;
static int stress_home_fd, stress_other_fd;

static void *t_child_exit(void *arg)
{
	return NULL;
}

static void *t_stress(void *arg)
{
	unsigned long ops = 0;
	pthread_t c;
	pid_t pid;

	while (!stop) {
		switch (ops++ % 4) {
		case 0:
			/* New netns are costly to tear down: not every time. */
			if (unshare(ops % 64 == 1 ? CLONE_NEWNET | CLONE_NEWUTS :
				    CLONE_NEWUTS))
				abort();
			break;
		case 1:
			if (setns(stress_other_fd, CLONE_NEWNET))
				abort();
			break;
		case 2:
			if (!pthread_create(&c, NULL, t_child_exit, NULL))
				pthread_join(c, NULL);
			pid = fork();
			if (!pid)
				_exit(0);
			if (pid > 0)
				waitpid(pid, NULL, 0);
			break;
		case 3:
			if (setns(stress_home_fd, CLONE_NEWNET))
				abort();
			break;
		}
	}
	*(unsigned long *)arg = ops;
	return NULL;
}

static volatile int reader_stop;
static unsigned long long reader_records, reader_bad, reader_lost;

static void *t_reader(void *arg)
{
	static struct nstaint_event ev[256];
	int fd = *(int *)arg, i;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;

	while (!reader_stop) {
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = read(fd, ev, sizeof(ev));
		if (n <= 0)
			continue;
		if (n % sizeof(ev[0]))
			reader_bad++;
		for (i = 0; i < n / (ssize_t)sizeof(ev[0]); i++) {
			if (ev[i].version != NSTAINT_ABI_VERSION ||
			    ev[i].size != sizeof(ev[0]) || !ev[i].type ||
			    ev[i].type >= NSTAINT_EV_TYPE_COUNT)
				reader_bad++;
			if (ev[i].type == NSTAINT_EV_LOST)
				reader_lost += ev[i].count;
			reader_records++;
		}
	}
	return NULL;
}

static int dmesg_bad(void)
{
	FILE *f = popen("dmesg | grep -E 'BUG|WARNING|Oops|Call Trace'", "r");
	char line[512];
	int bad = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		printf("# dmesg: %s", line);
		bad++;
	}
	pclose(f);
	return bad;
}

/* 8 threads unshare, setns, clone threads and processes and exit in a
 * loop while a reader validates every record; rmmod is refused while
 * the reader is open and succeeds under load once it closes; then 20
 * load/unload cycles under load.  The kernel log must stay clean. */
TEST(stress)
{
	const char *s = getenv("NSTAINT_STRESS_SECONDS");
	int seconds = s ? atoi(s) : 30, fd, i, cycles = 0;
	unsigned long ops[8] = { 0 }, total = 0;
	pthread_t w[8], r;

	pid_t holder;
	char path[64];

	stress_home_fd = open("/proc/self/ns/net", O_RDONLY);
	/* A process holding a netns for the workers to setns into; forked
	 * before the device is opened so that it does not hold it. */
	holder = fork();
	if (!holder) {
		if (unshare(CLONE_NEWNET))
			_exit(1);
		pause();
		_exit(0);
	}
	usleep(200000);
	ASSERT_EQ(0, load("ring_size=1024"));
	fd = open(DEV, O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, fd);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", holder);
	stress_other_fd = open(path, O_RDONLY);
	ASSERT_LE(0, stress_other_fd);
	pthread_create(&r, NULL, t_reader, &fd);
	for (i = 0; i < 8; i++)
		pthread_create(&w[i], NULL, t_stress, &ops[i]);
	sleep(seconds);
	EXPECT_NE(0, unload());		/* the reader holds it */
	reader_stop = 1;
	pthread_join(r, NULL);
	close(fd);
	EXPECT_EQ(0, unload_retry());	/* under load, no reader */
	for (i = 0; i < 20; i++)
		if (!load("ring_size=64") && !unload())
			cycles++;
	stop = 1;
	for (i = 0; i < 8; i++) {
		pthread_join(w[i], NULL);
		total += ops[i];
	}
	kill(holder, SIGKILL);
	waitpid(holder, NULL, 0);
	TH_LOG("%lu operations, %llu records read (%llu lost), %d cycles",
	       total, reader_records, reader_lost, cycles);
	EXPECT_LT(1000UL, total);
	EXPECT_LT(100ULL, reader_records);
	EXPECT_EQ(0ULL, reader_bad);
	EXPECT_EQ(20, cycles);
	EXPECT_EQ(0, dmesg_bad());
}

TEST_HARNESS_MAIN
