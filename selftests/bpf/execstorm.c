// SPDX-License-Identifier: GPL-2.0-only
/*
 * execstorm DIR NLOOP COPIES NCOPIES: an exec storm around one namespace
 * change, for the exec-hold path of `nstaint trace -- CMD`
 * (execstorm_test.sh).
 *
 * NLOOP looper processes exec the NCOPIES copies COPIES/0.. of the Go
 * program selftests/go/execloop one after the other, each exec adding one
 * byte to DIR/count, until DIR/stop exists.  Once they have
 * exec'd a few times each, a thread of the main process unshares its uts
 * namespace and exits: one ns_change, one thread_tainted, one thread_exit
 * record, its tid printed as "storm tid=N".  The main process then waits
 * for DIR/stop (the test creates it once trace has printed that
 * thread_exit) and for each looper: it exits 0 only if every looper
 * exited 0.  A looper left stopped at exec is never reaped, so the
 * program does not end.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define MAX_LOOP	64
#define WARMUP		10	/* execs per looper before the change */

static char path[4096];

static const char *in_dir(const char *dir, const char *name)
{
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

/* Looper @k of @n starts at its own copy: they do not share files. */
static int loop(char **argv, int k, int n)
{
	char exe[4096], first[16];
	int ncopies = atoi(argv[4]);

	snprintf(first, sizeof(first), "%d", k * ncopies / n);
	snprintf(exe, sizeof(exe), "%s/%s", argv[3], first);
	execl(exe, exe, argv[1], argv[3], argv[4], first, (char *)NULL);
	perror("execstorm: exec");
	return 1;
}

static void *change(void *arg)
{
	printf("storm tid=%ld\n", (long)syscall(SYS_gettid));
	fflush(stdout);
	if (unshare(CLONE_NEWUTS))
		perror("execstorm: unshare");
	return NULL;
}

static off_t count(const char *dir)
{
	struct stat st;

	return stat(in_dir(dir, "count"), &st) ? 0 : st.st_size;
}

int main(int argc, char **argv)
{
	pid_t pids[MAX_LOOP];
	int n, i, status, bad = 0;
	pthread_t t;

	if (argc != 5 || (n = atoi(argv[2])) < 1 || n > MAX_LOOP ||
	    atoi(argv[4]) < n) {
		fprintf(stderr, "usage: execstorm DIR NLOOP COPIES NCOPIES "
			"(NLOOP 1 to %d, NCOPIES at least NLOOP)\n", MAX_LOOP);
		return 2;
	}
	for (i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			return 1;
		if (!pids[i])
			_exit(loop(argv, i, n));
	}
	/* The storm is on: every looper is exec'ing, held at each exec. */
	while (count(argv[1]) < (off_t)n * WARMUP)
		usleep(10 * 1000);
	if (pthread_create(&t, NULL, change, NULL) || pthread_join(t, NULL))
		return 1;
	while (access(in_dir(argv[1], "stop"), F_OK))
		usleep(10 * 1000);
	for (i = 0; i < n; i++) {
		if (waitpid(pids[i], &status, 0) != pids[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			bad++;
	}
	printf("storm execs=%lld loopers_failed=%d\n",
	       (long long)count(argv[1]), bad);
	return bad ? 1 : 0;
}
