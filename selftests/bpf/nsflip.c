// SPDX-License-Identifier: GPL-2.0-only
/*
 * Namespace moves for the trace selftests, one per mode:
 *   thread       a second thread unshares net, then setns back home
 *   sleepflip    as thread, but sleeps 0.2 s in between, so the thread is
 *                switched out while tainted (trace --lazy sees it then)
 *   whole        the single-threaded process unshares net (moves whole)
 *   storm N K    N threads each unshare(CLONE_NEWUTS) K times
 *   clone        a thread unshares net, then forks a process and creates
 *                a thread (both inherit its netns)
 *   clonens      clone(2) a process into new user+uts namespaces, then a
 *                thread (CLONE_THREAD) into a new uts namespace
 *   userns       a second thread tries unshare(CLONE_NEWUSER) (the kernel
 *                refuses it in a multithreaded process), then, alone
 *                again, the process unshares its user namespace
 *   exec         a thread unshares net, runs readlink /proc/self/ns/net
 *                (fork + exec: the program inherits the netns, as with
 *                Go's os/exec from a locked thread), then setns back home
 *   joinexit N   N processes one after the other; in each a thread
 *                unshares uts and returns, main joins it and exits at once
 *                (main's exit races the tainted thread's)
 * Prints what it did (tids, counts) so the test can check the records.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static int storm_k;
static int storm_ok[64];

static void *flip_back(void *arg)
{
	int home = open("/proc/thread-self/ns/net", O_RDONLY);

	if (home < 0 || unshare(CLONE_NEWNET) || setns(home, CLONE_NEWNET)) {
		perror("nsflip thread");
		exit(1);
	}
	printf("thread tid=%ld\n", (long)syscall(SYS_gettid));
	close(home);
	return NULL;
}

static void *sleep_flip_back(void *arg)
{
	int home = open("/proc/thread-self/ns/net", O_RDONLY);

	if (home < 0 || unshare(CLONE_NEWNET)) {
		perror("nsflip sleepflip");
		exit(1);
	}
	usleep(200000);
	if (setns(home, CLONE_NEWNET)) {
		perror("nsflip sleepflip");
		exit(1);
	}
	printf("sleepflip tid=%ld\n", (long)syscall(SYS_gettid));
	close(home);
	return NULL;
}

static void *noop(void *arg)
{
	return NULL;
}

static void *clone_tainted(void *arg)
{
	pthread_t t;
	pid_t pid;

	if (unshare(CLONE_NEWNET)) {
		perror("nsflip clone");
		exit(1);
	}
	printf("clone tid=%ld\n", (long)syscall(SYS_gettid));
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	pthread_create(&t, NULL, noop, NULL);
	pthread_join(t, NULL);
	return NULL;
}

static char clone_stack[64 * 1024] __attribute__((aligned(16)));
static pid_t clone_tid;

static int child_exit(void *arg)
{
	return 0;
}

/* Runs on a raw CLONE_THREAD thread without TLS: no libc beyond syscalls. */
static int thread_exit(void *arg)
{
	syscall(SYS_exit, 0);
	return 0;
}

static int clone_new_ns(void)
{
	int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
		    CLONE_THREAD | CLONE_SYSVSEM | CLONE_NEWUTS |
		    CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
	void *top = clone_stack + sizeof(clone_stack);
	pid_t pid, tid;

	pid = clone(child_exit, top, CLONE_NEWUSER | CLONE_NEWUTS | SIGCHLD,
		    NULL);
	if (pid < 0 || waitpid(pid, NULL, 0) != pid) {
		perror("nsflip clonens process");
		return 1;
	}
	printf("clonens process=%d\n", pid);
	tid = clone(thread_exit, top, flags, NULL, &clone_tid, NULL,
		    &clone_tid);
	if (tid < 0) {
		perror("nsflip clonens thread");
		return 1;
	}
	/* CLONE_CHILD_CLEARTID: the kernel zeroes clone_tid at its exit. */
	while (__atomic_load_n(&clone_tid, __ATOMIC_ACQUIRE))
		syscall(SYS_futex, &clone_tid, FUTEX_WAIT, tid, NULL);
	printf("clonens thread=%d\n", tid);
	return 0;
}

static void *exec_tainted(void *arg)
{
	int home = open("/proc/thread-self/ns/net", O_RDONLY);
	int status;
	pid_t pid;

	if (home < 0 || unshare(CLONE_NEWNET)) {
		perror("nsflip exec");
		exit(1);
	}
	printf("exec tid=%ld\n", (long)syscall(SYS_gettid));
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execl("/bin/readlink", "readlink", "/proc/self/ns/net", NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status ||
	    setns(home, CLONE_NEWNET)) {
		fprintf(stderr, "nsflip exec: child or setns back failed\n");
		exit(1);
	}
	printf("exec child pid=%d\n", pid);
	close(home);
	return NULL;
}

static void *taint_uts(void *arg)
{
	if (unshare(CLONE_NEWUTS)) {
		perror("nsflip joinexit");
		exit(1);
	}
	return NULL;
}

static void *userns_thread(void *arg)
{
	int *err = arg;

	*err = unshare(CLONE_NEWUSER) ? errno : 0;
	return NULL;
}

/*
 * pthread_join() returns once the thread's exit cleared its tid (in
 * exit_mm()), before it has left the thread group: until then the kernel
 * still counts it, refuses unshare(CLONE_NEWUSER) with EINVAL and nstaint
 * sees two threads.  Wait for the count in /proc to drop to one.
 */
static void wait_single_threaded(void)
{
	char line[128];
	int n = 0;

	for (int tries = 0; tries < 5000 && n != 1; tries++) {
		FILE *f = fopen("/proc/self/status", "re");

		n = 0;
		while (f && fgets(line, sizeof(line), f))
			if (sscanf(line, "Threads: %d", &n) == 1)
				break;
		if (f)
			fclose(f);
		if (n != 1)
			usleep(1000);
	}
}

static int user_ns(void)
{
	pthread_t t;
	int err = 0;

	pthread_create(&t, NULL, userns_thread, &err);
	pthread_join(t, NULL);
	printf("userns threaded=%s\n", err ? strerror(err) : "ok");
	wait_single_threaded();
	if (unshare(CLONE_NEWUSER)) {
		perror("nsflip userns");
		return 1;
	}
	printf("userns tid=%ld\n", (long)syscall(SYS_gettid));
	return 0;
}

static void *storm(void *arg)
{
	int *ok = arg;

	for (int i = 0; i < storm_k; i++)
		if (!unshare(CLONE_NEWUTS))
			(*ok)++;
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th[64];
	int n, total = 0;

	if (argc >= 2 && !strcmp(argv[1], "thread")) {
		pthread_create(&th[0], NULL, flip_back, NULL);
		pthread_join(th[0], NULL);
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "sleepflip")) {
		pthread_create(&th[0], NULL, sleep_flip_back, NULL);
		pthread_join(th[0], NULL);
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "clone")) {
		pthread_create(&th[0], NULL, clone_tainted, NULL);
		pthread_join(th[0], NULL);
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "clonens"))
		return clone_new_ns();
	if (argc >= 2 && !strcmp(argv[1], "userns"))
		return user_ns();
	if (argc >= 2 && !strcmp(argv[1], "exec")) {
		pthread_create(&th[0], NULL, exec_tainted, NULL);
		pthread_join(th[0], NULL);
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "whole")) {
		if (unshare(CLONE_NEWNET)) {
			perror("nsflip whole");
			return 1;
		}
		printf("whole tid=%ld\n", (long)syscall(SYS_gettid));
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "joinexit")) {
		n = atoi(argv[2]);
		for (int i = 0; i < n; i++) {
			pid_t pid = fork();
			int status;

			if (pid == 0) {
				pthread_create(&th[0], NULL, taint_uts, NULL);
				pthread_join(th[0], NULL);
				_exit(0);
			}
			if (pid < 0 || waitpid(pid, &status, 0) != pid ||
			    status) {
				fprintf(stderr, "nsflip joinexit: child failed\n");
				return 1;
			}
		}
		printf("joinexit processes=%d\n", n);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "storm")) {
		n = atoi(argv[2]);
		storm_k = atoi(argv[3]);
		if (n < 1 || n > 64)
			return 2;
		for (int i = 0; i < n; i++)
			pthread_create(&th[i], NULL, storm, &storm_ok[i]);
		for (int i = 0; i < n; i++) {
			pthread_join(th[i], NULL);
			total += storm_ok[i];
		}
		printf("storm threads=%d changes=%d\n", n, total);
		return 0;
	}
	fprintf(stderr, "usage: nsflip thread|sleepflip|whole|clone|clonens|userns|exec|\n"
		"       storm N K|joinexit N\n");
	return 2;
}
