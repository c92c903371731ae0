// SPDX-License-Identifier: GPL-2.0-only
/*
 * Namespace moves for the trace selftests, one per mode:
 *   thread       a second thread unshares net, then setns back home
 *   sleepflip    as thread, but sleeps 0.2 s in between, so the thread is
 *                switched out while tainted (trace --lazy sees it then)
 *   whole        the single-threaded process unshares net (moves whole)
 *   storm N K    N threads each unshare(CLONE_NEWUTS) K times
 *   stormgo N K  storm N K once a line (or EOF) is read from stdin,
 *                after printing "ready" (a test stops trace meanwhile)
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
 *   execself W   a tainted thread execs /bin/true: W "thread", a second
 *                thread unshares net and execs (taking the leader's tid);
 *                W "main", main unshares net (a second thread parked, so
 *                it is tainted, not moved whole) and execs
 *   pidns0       main unshares pid (no child yet, so /proc shows no
 *                pid_for_children: inode 0) beside a parked thread, prints
 *                "ready" and waits for a line or EOF on stdin; then the thread
 *                setns's into its own netns (no change) and unshares uts
 * Prints what it did (tids, counts) so the test can check the records.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "../lib/rawthread.h"

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
static struct raw_thread clone_thread;

static int child_exit(void *arg)
{
	return 0;
}

static int clone_new_ns(void)
{
	void *top = clone_stack + sizeof(clone_stack);
	pid_t pid, tid;

	pid = clone(child_exit, top, CLONE_NEWUSER | CLONE_NEWUTS | SIGCHLD,
		    NULL);
	if (pid < 0 || waitpid(pid, NULL, 0) != pid) {
		perror("nsflip clonens process");
		return 1;
	}
	printf("clonens process=%d\n", pid);
	tid = raw_thread_start(&clone_thread, raw_thread_exit, NULL,
			       CLONE_NEWUTS);
	if (tid < 0) {
		perror("nsflip clonens thread");
		return 1;
	}
	raw_thread_join(&clone_thread);
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

static void *park(void *arg)
{
	pause();
	return NULL;
}

static void *exec_self(void *arg)
{
	if (unshare(CLONE_NEWNET)) {
		perror("nsflip execself");
		exit(1);
	}
	printf("execself pid=%d tid=%ld\n", getpid(), (long)syscall(SYS_gettid));
	fflush(stdout);
	execl("/bin/true", "true", NULL);
	perror("nsflip execself: exec");
	exit(1);
}

static int exec_tainted_self(const char *who)
{
	pthread_t t;

	if (!strcmp(who, "thread")) {
		pthread_create(&t, NULL, exec_self, NULL);
		pause();
	}
	if (strcmp(who, "main"))
		return 2;
	pthread_create(&t, NULL, park, NULL);
	exec_self(NULL);
	return 1;
}

static int pidns0_go[2];
static pthread_barrier_t pidns0_bar;

/* Waits for main's word, then a setns that changes nothing, then a taint. */
static void *pidns0_thread(void *arg)
{
	char c, before[64] = "", after[64] = "";
	int fd = open("/proc/thread-self/ns/net", O_RDONLY);

	printf("pidns0 tid=%ld\n", (long)syscall(SYS_gettid));
	fflush(stdout);
	pthread_barrier_wait(&pidns0_bar);
	if (fd < 0 || read(pidns0_go[0], &c, 1) != 1) {
		perror("nsflip pidns0 thread");
		exit(1);
	}
	if (readlink("/proc/thread-self/ns/net", before, sizeof(before)) < 0 ||
	    setns(fd, CLONE_NEWNET) ||
	    readlink("/proc/thread-self/ns/net", after, sizeof(after)) < 0 ||
	    unshare(CLONE_NEWUTS)) {
		perror("nsflip pidns0 setns");
		exit(1);
	}
	printf("pidns0 netns %s\n", strcmp(before, after) ?
	       "changed" : "unchanged");
	close(fd);
	return NULL;
}

static int pidns0(void)
{
	char line[16];
	pthread_t t;

	pthread_barrier_init(&pidns0_bar, NULL, 2);
	if (pipe(pidns0_go) ||
	    pthread_create(&t, NULL, pidns0_thread, NULL) ||
	    unshare(CLONE_NEWPID)) {
		perror("nsflip pidns0");
		return 1;
	}
	pthread_barrier_wait(&pidns0_bar);
	printf("pidns0 pid_for_children %s\nready\n",
	       access("/proc/self/ns/pid_for_children", F_OK) ?
	       "unreadable" : "readable");
	fflush(stdout);
	/* A line or EOF: either way, go. */
	if (!fgets(line, sizeof(line), stdin) && ferror(stdin))
		return 1;
	if (write(pidns0_go[1], "g", 1) != 1)
		return 1;
	pthread_join(t, NULL);
	return 0;
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
	if (argc == 4 && (!strcmp(argv[1], "storm") ||
			  !strcmp(argv[1], "stormgo"))) {
		char line[16];

		n = atoi(argv[2]);
		storm_k = atoi(argv[3]);
		if (n < 1 || n > 64)
			return 2;
		if (!strcmp(argv[1], "stormgo")) {
			printf("ready\n");
			fflush(stdout);
			/* A line or EOF: either way, go. */
			if (!fgets(line, sizeof(line), stdin) && ferror(stdin))
				return 1;
		}
		for (int i = 0; i < n; i++)
			pthread_create(&th[i], NULL, storm, &storm_ok[i]);
		for (int i = 0; i < n; i++) {
			pthread_join(th[i], NULL);
			total += storm_ok[i];
		}
		printf("storm threads=%d changes=%d\n", n, total);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "execself"))
		return exec_tainted_self(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "pidns0"))
		return pidns0();
	fprintf(stderr, "usage: nsflip thread|sleepflip|whole|clone|clonens|userns|exec|\n"
		"       storm N K|stormgo N K|joinexit N|execself thread|main|pidns0\n");
	return 2;
}
