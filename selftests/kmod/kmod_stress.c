// SPDX-License-Identifier: GPL-2.0-only
/*
 * nstaint.ko under load (issue 4): 8 threads unshare, setns, clone
 * threads and processes and let them exit, in a loop for 30 s
 * (NSTAINT_STRESS_SECONDS) while a reader checks every record; rmmod is
 * refused while the reader is open and works under load once it closed;
 * then 20 load/unload cycles under the same load, each with a reader.
 * The kernel log must show no BUG, WARNING or Oops.  Runs in the 6.1 VM.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include "kselftest_harness.h"
#include "kmod_lib.h"

#define WORKERS	8

static volatile int stop, reader_stop;
static int home_fd, other_fd;

static void *t_exit(void *arg)
{
	return NULL;
}

/* One worker: unshare, setns away, clone a thread and a process (each
 * exits at once, often from a tainted thread), setns home; again. */
static void *t_worker(void *arg)
{
	unsigned long ops = 0;
	pthread_t c;
	pid_t pid;

	while (!stop) {
		switch (ops++ % 4) {
		case 0:
			/* A new netns is slow to tear down: not each time. */
			if (unshare(ops % 64 == 1 ? CLONE_NEWNET | CLONE_NEWUTS :
				    CLONE_NEWUTS))
				abort();
			break;
		case 1:
			if (setns(other_fd, CLONE_NEWNET))
				abort();
			break;
		case 2:
			if (!pthread_create(&c, NULL, t_exit, NULL))
				pthread_join(c, NULL);
			pid = fork();
			if (!pid) {
				/* The child moves whole, then exits. */
				if (ops % 8 == 2)
					unshare(CLONE_NEWUTS);
				_exit(0);
			}
			if (pid > 0)
				waitpid(pid, NULL, 0);
			break;
		case 3:
			if (setns(home_fd, CLONE_NEWNET))
				abort();
			break;
		}
	}
	*(unsigned long *)arg = ops;
	return NULL;
}

static unsigned long long records, bad, lost;

/* Checks each record it reads: whole, known version, size and type. */
static void *t_reader(void *arg)
{
	static struct nstaint_event ev[256];
	struct pollfd pfd = { .fd = *(int *)arg, .events = POLLIN };
	ssize_t n;
	int i;

	while (!reader_stop) {
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = read(pfd.fd, ev, sizeof(ev));
		if (n <= 0)
			continue;
		if (n % sizeof(ev[0]))
			bad++;
		for (i = 0; i < n / (ssize_t)sizeof(ev[0]); i++) {
			if (ev[i].version != NSTAINT_ABI_VERSION ||
			    ev[i].size != sizeof(ev[0]) || !ev[i].type ||
			    ev[i].type >= NSTAINT_EV_TYPE_COUNT)
				bad++;
			if (ev[i].type == NSTAINT_EV_LOST)
				lost += ev[i].count;
			records++;
		}
	}
	return NULL;
}

/* Lines of the kernel log that name a BUG, WARNING or Oops. */
static int dmesg_bad(void)
{
	FILE *f = popen("dmesg | grep -E 'BUG|WARNING|Oops|Call Trace'", "r");
	char line[512];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		printf("# dmesg: %s", line);
		n++;
	}
	pclose(f);
	return n;
}

/* delete_module, retried while a forked worker child still holds a copy
 * of the reader's descriptor for a moment. */
static int unload_retry(void)
{
	int i, ret = kmod_unload();

	for (i = 0; ret == -EWOULDBLOCK && i < 40; i++) {
		usleep(50000);
		ret = kmod_unload();
	}
	return ret;
}

FIXTURE(load) {
	int unused;
};

FIXTURE_SETUP(load)
{
}

FIXTURE_TEARDOWN(load)
{
}

/*
 * 30 s of load, an unload, 20 cycles: the harness's 30 s is too short, and
 * each unload waits for RCU grace periods that a TCG guest on a busy host
 * makes slow.
 */
TEST_F_TIMEOUT(load, stress_then_unload_and_cycles, 400)
{
	const char *s = getenv("NSTAINT_STRESS_SECONDS");
	int seconds = s ? atoi(s) : 30, fd, i, cycles = 0;
	unsigned long ops[WORKERS] = { 0 }, total = 0;
	pthread_t w[WORKERS], r;
	char path[64];
	time_t t0;
	pid_t holder;

	home_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	/* Holds a netns for the workers to setns into. */
	holder = fork();
	if (!holder) {
		if (unshare(CLONE_NEWNET))
			_exit(1);
		pause();
		_exit(0);
	}
	usleep(200000);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", holder);
	other_fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, other_fd);
	ASSERT_EQ(0, kmod_load("bufsize=1024"));
	fd = open(NSTAINT_DEV_PATH, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, fd);
	pthread_create(&r, NULL, t_reader, &fd);
	for (i = 0; i < WORKERS; i++)
		pthread_create(&w[i], NULL, t_worker, &ops[i]);
	sleep(seconds);
	t0 = time(NULL);
	EXPECT_EQ(-EWOULDBLOCK, kmod_unload());	/* the reader holds it */
	reader_stop = 1;
	pthread_join(r, NULL);
	close(fd);
	EXPECT_EQ(0, unload_retry());		/* under load, no reader */
	for (i = 0; i < 20; i++) {
		struct nstaint_event ev[16];

		if (kmod_load("bufsize=64"))
			continue;
		fd = open(NSTAINT_DEV_PATH, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			struct pollfd pfd = { .fd = fd, .events = POLLIN };

			/* The workers' next records. */
			if (poll(&pfd, 1, 5000) != 1 ||
			    read(fd, ev, sizeof(ev)) <= 0)
				bad++;
			close(fd);
		}
		if (!unload_retry())
			cycles++;
	}
	TH_LOG("unload and %d cycles under load took %ld s", cycles,
	       (long)(time(NULL) - t0));
	stop = 1;
	for (i = 0; i < WORKERS; i++) {
		pthread_join(w[i], NULL);
		total += ops[i];
	}
	kill(holder, SIGKILL);
	waitpid(holder, NULL, 0);
	TH_LOG("%d s: %lu operations, %llu records read (%llu lost), %d cycles",
	       seconds, total, records, lost, cycles);
	EXPECT_LT(1000UL, total);
	EXPECT_LT(100ULL, records);
	EXPECT_EQ(0ULL, bad);
	EXPECT_EQ(20, cycles);
	EXPECT_EQ(0, dmesg_bad());
}

TEST_HARNESS_MAIN
