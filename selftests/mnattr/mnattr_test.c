// SPDX-License-Identifier: GPL-2.0-only
/*
 * mnattr (user/nstaint/attr/mnattr.c) on processes that lie: it runs as root on
 * what any process controls, its mapped files and its registry.  The
 * oracle is the kernel's: the child's own tid (gettid), /proc.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "attr/mnattr.h"
#include <nstaint/mn_abi.h>

/* The registry this test binary defines, filled in by its children. */
struct mn_abi_registry mn_nstaint_registry;

/* Fork a child that runs @prepare then reports on a pipe and waits to be
 * killed; returns its pid once it has reported, -1 on failure. */
static pid_t child(int (*prepare)(void *), void *arg)
{
	int fds[2];
	pid_t pid;
	char c;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		c = prepare(arg) ? 'n' : 'y';
		if (write(fds[1], &c, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(fds[1]);
	if (pid < 0 || read(fds[0], &c, 1) != 1 || c != 'y') {
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		pid = -1;
	}
	close(fds[0]);
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* A registry listing the child's own thread and init's (tid 1). */
static int lie_about_tids(void *arg)
{
	struct mn_abi_registry *r = &mn_nstaint_registry;

	r->magic = MN_ABI_REG_MAGIC;
	r->version = MN_ABI_VERSION;
	r->max_threads = MN_ABI_MAX_THREADS;
	r->threads[0].tid = gettid();
	r->threads[0].slot_addr = 0x10000;
	r->threads[1].tid = 1;
	r->threads[1].slot_addr = 0x20000;
	r->nr_used = 2;
	return 0;
}

struct got {
	int n;
	__u32 tid[4];
};

static void collect(void *ctx, __u32 tid, __u64 slot_addr)
{
	struct got *g = ctx;

	if (g->n < 4)
		g->tid[g->n] = tid;
	g->n++;
}

/* Only the process's own threads get a slot from its registry. */
TEST(registry_cannot_name_another_process_thread)
{
	struct mn_proc mp;
	struct got g = { 0 };
	pid_t pid = child(lie_about_tids, NULL);

	ASSERT_LT(0, pid);
	ASSERT_EQ(0, mnattr_find(pid, &mp));
	ASSERT_EQ((uintptr_t)&mn_nstaint_registry, mp.registry);
	EXPECT_EQ(1, mnattr_threads(pid, mp.registry, collect, &g));
	EXPECT_EQ(1, g.n);
	/* The child is single-threaded: its one thread's tid is its pid. */
	EXPECT_EQ((__u32)pid, g.tid[0]);
	reap(pid);
}

/*
 * Map a file, then, in a mount namespace of its own, hide it under a
 * tmpfs holding a FIFO of the same name: /proc/PID/maps still names the
 * path, which now opens the FIFO (with no writer: open blocks).
 */
static int fifo_over_mapped_file(void *arg)
{
	const char *dir = arg;
	char path[256];
	void *p;
	int fd;

	snprintf(path, sizeof(path), "%s/lib.so", dir);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED || unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("tmpfs", dir, "tmpfs", 0, NULL) || mkfifo(path, 0600))
		return -1;
	return 0;
}

/* A FIFO where a mapped file was is skipped, not waited on. */
TEST(fifo_in_place_of_a_mapped_file)
{
	char dir[] = "/tmp/mnattr_test.XXXXXX", path[256];
	struct mn_proc mp;
	pid_t pid;
	int fd;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/lib.so", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, 4096));
	close(fd);
	pid = child(fifo_over_mapped_file, dir);
	ASSERT_LT(0, pid);
	/*
	 * The harness's timeout fails this test if mnattr_find blocks.  The
	 * registry is still found, in the executable (this binary's, at
	 * the same address in the forked child).
	 */
	EXPECT_EQ(0, mnattr_find(pid, &mp));
	EXPECT_EQ((uintptr_t)&mn_nstaint_registry, mp.registry);
	reap(pid);
	unlink(path);
	rmdir(dir);
}

TEST_HARNESS_MAIN
