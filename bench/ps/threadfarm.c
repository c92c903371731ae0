// SPDX-License-Identifier: GPL-2.0-only
/*
 * threadfarm NPROC NTHREADS [TAINTED]: a host with many threads for
 * `make bench-ps`.  Forks NPROC processes holding NTHREADS threads in all
 * (main threads included); in each process the first TAINTED threads it
 * creates (0: none) unshare their UTS namespace, so ps has tainted threads
 * to find.
 * Prints "ready" once every thread exists and has moved, then waits until
 * its standard input closes or it is signalled; the processes die with it.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static int tainted;
static int ready_fd;

static void *thread_main(void *arg)
{
	long i = (long)arg;
	char c = 1;

	if (i <= tainted && unshare(CLONE_NEWUTS)) {
		perror("threadfarm: unshare(CLONE_NEWUTS)");
		c = 0;
	}
	if (write(ready_fd, &c, 1) != 1)
		_exit(1);
	for (;;)
		pause();
	return NULL;
}

/* One process: @n threads besides the main one; never returns. */
static void farm(int n)
{
	pthread_attr_t a;
	pthread_t t;
	long i;
	int err;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		_exit(1);	/* the farm ended before we asked */
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 64 * 1024);
	for (i = 1; i <= n; i++) {
		err = pthread_create(&t, &a, thread_main, (void *)i);
		if (err) {
			fprintf(stderr, "threadfarm: pthread_create: %s\n",
				strerror(err));
			_exit(1);
		}
	}
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	int nproc, nthreads, fds[2], i, want = 0, got = 0;
	char buf[4096];
	ssize_t r;

	if (argc < 3 || (nproc = atoi(argv[1])) <= 0 ||
	    (nthreads = atoi(argv[2])) < nproc) {
		fprintf(stderr, "usage: threadfarm NPROC NTHREADS [TAINTED]\n");
		return 2;
	}
	tainted = argc > 3 ? atoi(argv[3]) : 0;
	if (pipe(fds))
		return perror("threadfarm: pipe"), 1;
	ready_fd = fds[1];
	for (i = 0; i < nproc; i++) {
		/* Spread the remainder over the first processes. */
		int n = nthreads / nproc + (i < nthreads % nproc) - 1;
		pid_t pid = fork();

		if (pid < 0)
			return perror("threadfarm: fork"), 1;
		if (pid == 0) {
			close(fds[0]);
			farm(n);
		}
		want += n;
	}
	close(fds[1]);
	while (got < want) {
		r = read(fds[0], buf, sizeof(buf));
		if (r <= 0) {
			fprintf(stderr, "threadfarm: a process died early\n");
			return 1;
		}
		if (memchr(buf, 0, r)) {
			fprintf(stderr, "threadfarm: a move failed\n");
			return 1;
		}
		got += r;
	}
	printf("ready\n");
	fflush(stdout);
	/* Until stdin closes (or a signal): then the processes die with us. */
	while (read(0, buf, sizeof(buf)) > 0)
		;
	return 0;
}
