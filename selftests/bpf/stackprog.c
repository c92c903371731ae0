// SPDX-License-Identifier: GPL-2.0-only
/*
 * Known user stacks for the stack selftests.  Built with -g -O0
 * -fno-omit-frame-pointer so the kernel's frame-pointer walk sees every
 * frame.  A second thread unshares net (so it is tainted) from a known
 * source line, then the process waits for its standard input to close (so
 * it is still alive when nstaint symbolizes), one mode per argument:
 *   line   worker() calls enter_netns() at the printed line
 *   deep   the call is 40 frames deep (more than a record holds)
 *   fork   then, still tainted, worker() forks a child (which exits) at
 *          the printed fork_line
 *   quick  prints "waiting pid=P", waits for one line on stdin, then
 *          taints and exits at once (the test makes it exit before
 *          nstaint reads the record)
 *   execd  as quick, but then execs "sleep 2" (the test makes it exec
 *          before nstaint reads the record)
 *   reexec as line, then prints "waiting pid=P", and at one line on stdin
 *          execs itself in mode line (a new image: PIE and libc at other
 *          addresses, the same source lines)
 *   badfp  the unshare is made with the frame-pointer register pointing
 *          at a fake frame whose return address is 0x4141414141414141,
 *          as a caller without frame pointers can leave it
 * Prints "line=N" for the call (and "fork_line=N"), then "ready".
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static int call_line, fork_line;

/* unshare() is a leaf without a frame: this frame is the one a
 * frame-pointer walk skips, worker()'s call line is what it shows. */
static __attribute__((noinline)) void enter_netns(void)
{
	if (unshare(CLONE_NEWNET)) {
		perror("stackprog: unshare");
		exit(1);
	}
}

/* The syscall with %rbp at a fake frame {next 0, return 0x41...41}. */
static __attribute__((noinline)) void enter_netns_badfp(void)
{
	static unsigned long fake[2] = { 0, 0x4141414141414141UL };
	long ret;

	__asm__ volatile("mov %%rbp, %%r12\n\t"
			 "mov %[fake], %%rbp\n\t"
			 "syscall\n\t"
			 "mov %%r12, %%rbp"
			 : "=a"(ret)
			 : "0"((long)SYS_unshare), "D"((long)CLONE_NEWNET),
			   [fake] "r"(fake)
			 : "rcx", "r11", "r12", "memory");
	if (ret) {
		fprintf(stderr, "stackprog: unshare: %ld\n", ret);
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

/*
 * A process through the raw clone syscall: glibc's fork() is built without
 * frame pointers, which would end the walk inside it; syscall() is a
 * frameless leaf like unshare(), so worker() shows at the call's line.
 */
static __attribute__((noinline)) void fork_child(void)
{
	pid_t pid = syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
}

static void *worker(void *arg)
{
	const char *mode = arg;

	if (!strcmp(mode, "deep")) {
		call_line = __LINE__ + 1;
		recurse(40);
	} else if (!strcmp(mode, "badfp")) {
		call_line = __LINE__ + 1;
		enter_netns_badfp();
	} else {
		call_line = __LINE__ + 1;
		enter_netns();
	}
	if (!strcmp(mode, "fork")) {
		fork_line = __LINE__ + 1;
		fork_child();
	}
	return NULL;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	char buf[64];
	pthread_t t;

	bool quick = !strcmp(mode, "quick") || !strcmp(mode, "execd");

	if (strcmp(mode, "line") && strcmp(mode, "deep") &&
	    strcmp(mode, "fork") && strcmp(mode, "badfp") &&
	    strcmp(mode, "reexec") && !quick) {
		fprintf(stderr,
			"usage: stackprog line|deep|fork|quick|execd|reexec|badfp\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (quick) {
		printf("waiting pid=%d\n", (int)getpid());
		if (!fgets(buf, sizeof(buf), stdin))
			return 1;
	}
	pthread_create(&t, NULL, worker, (void *)mode);
	pthread_join(t, NULL);
	printf("line=%d\n", call_line);
	if (fork_line)
		printf("fork_line=%d\n", fork_line);
	if (!strcmp(mode, "execd")) {
		execlp("sleep", "sleep", "2", (char *)NULL);
		perror("stackprog: exec sleep");
		return 1;
	}
	if (quick)
		return 0;
	if (!strcmp(mode, "reexec")) {
		printf("waiting pid=%d\n", (int)getpid());
		if (!fgets(buf, sizeof(buf), stdin))
			return 1;
		execl("/proc/self/exe", argv[0], "line", (char *)NULL);
		perror("stackprog: exec itself");
		return 1;
	}
	printf("ready\n");
	while (fgets(buf, sizeof(buf), stdin))
		;
	return 0;
}
