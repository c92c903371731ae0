// SPDX-License-Identifier: GPL-2.0-only
/*
 * Known user stacks for the stack selftests.  Built with -g -O0
 * -fno-omit-frame-pointer so the kernel's frame-pointer walk sees every
 * frame.  A second thread unshares net (so it is tainted) from a known
 * source line, then the process waits for its standard input to close (so
 * it is still alive when nstaint symbolizes), one mode per argument:
 *   line   worker() calls enter_netns() at the printed line
 *   deep   the call is 40 frames deep (more than a record holds)
 *   quick  waits for one line on stdin first, then taints and exits at
 *          once (the test makes it exit before nstaint reads the record)
 * Prints "line=N tid=T" for the call, then "ready".
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

static int call_line;

/* unshare() is a leaf without a frame: this frame is the one a
 * frame-pointer walk skips, worker()'s call line is what it shows. */
static __attribute__((noinline)) void enter_netns(void)
{
	if (unshare(CLONE_NEWNET)) {
		perror("stackprog: unshare");
		exit(1);
	}
}

static __attribute__((noinline)) void recurse(int n)
{
	if (n > 0)
		recurse(n - 1);
	else
		enter_netns();
}

static void *worker(void *arg)
{
	const char *mode = arg;

	if (!strcmp(mode, "deep")) {
		call_line = __LINE__ + 1;
		recurse(40);
	} else {
		call_line = __LINE__ + 1;
		enter_netns();
	}
	return NULL;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	char buf[64];
	pthread_t t;

	if (strcmp(mode, "line") && strcmp(mode, "deep") &&
	    strcmp(mode, "quick")) {
		fprintf(stderr, "usage: stackprog line|deep|quick\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(mode, "quick")) {
		printf("waiting\n");
		if (!fgets(buf, sizeof(buf), stdin))
			return 1;
	}
	pthread_create(&t, NULL, worker, (void *)mode);
	pthread_join(t, NULL);
	printf("line=%d\n", call_line);
	if (!strcmp(mode, "quick"))
		return 0;
	printf("ready\n");
	while (fgets(buf, sizeof(buf), stdin))
		;
	return 0;
}
