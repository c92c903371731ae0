// SPDX-License-Identifier: GPL-2.0-only
/*
 * A C pthreads program that changes namespaces the ways nstaint must see,
 * driven by the selftests and bench/trace.  Modes:
 *
 *   taint       thread A unshares a netns, creates thread B and forks a
 *               child from there (both clone_from_tainted), then setns back
 *               (thread_restored).  Prints "tainter tid=", "thread tid=",
 *               "child pid=".
 *   whole       single-threaded: unshare(net, uts); the process moved as a
 *               whole (ns_change with home moved, nothing tainted).
 *   storm T K   T threads each unshare a netns, then flip K times between
 *               it and the original (4 records per flip + 4 per thread).
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int gettid_(void)
{
	return (int)syscall(SYS_gettid);
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void *thread_b(void *arg)
{
	printf("thread tid=%d\n", gettid_());
	return NULL;
}

static void *tainter(void *arg)
{
	int orig = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	pthread_t b;
	pid_t child;

	if (orig < 0)
		die("open ns/net");
	if (unshare(CLONE_NEWNET))
		die("unshare");
	printf("tainter tid=%d\n", gettid_());
	if (pthread_create(&b, NULL, thread_b, NULL))
		die("pthread_create");
	pthread_join(b, NULL);
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0)
		_exit(0);
	printf("child pid=%d\n", child);
	waitpid(child, NULL, 0);
	if (setns(orig, CLONE_NEWNET))
		die("setns back");
	close(orig);
	return NULL;
}

static int flips;

static void *stormer(void *arg)
{
	int orig = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC), new;

	if (orig < 0)
		die("open ns/net");
	if (unshare(CLONE_NEWNET))
		die("unshare");
	new = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (new < 0)
		die("open new ns/net");
	for (int i = 0; i < flips; i++)
		if (setns(orig, CLONE_NEWNET) || setns(new, CLONE_NEWNET))
			die("setns");
	if (setns(orig, CLONE_NEWNET))
		die("setns back");
	close(orig);
	close(new);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[256];
	int n;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "taint")) {
		if (pthread_create(&t[0], NULL, tainter, NULL))
			die("pthread_create");
		pthread_join(t[0], NULL);
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "whole")) {
		if (unshare(CLONE_NEWNET | CLONE_NEWUTS))
			die("unshare");
		printf("whole pid=%d\n", getpid());
		return 0;
	}
	if (argc >= 4 && !strcmp(argv[1], "storm")) {
		n = atoi(argv[2]);
		flips = atoi(argv[3]);
		if (n < 1 || n > 256 || flips < 0)
			return 2;
		for (int i = 0; i < n; i++)
			if (pthread_create(&t[i], NULL, stormer, NULL))
				die("pthread_create");
		for (int i = 0; i < n; i++)
			pthread_join(t[i], NULL);
		printf("storm records=%d\n", n * (4 * flips + 4));
		return 0;
	}
	fprintf(stderr, "usage: nsprog taint | whole | storm THREADS FLIPS\n");
	return 2;
}
