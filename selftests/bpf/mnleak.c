// SPDX-License-Identifier: GPL-2.0-only
/*
 * libmn programs for the libmn attribution selftests (libmn_test.sh), one
 * per mode, all with MN_PROCS=1 so that the tasks share one thread:
 *   leak     task A unshares uts WITHOUT mn_lock_thread; task B then runs
 *            on that thread; A goes back home and unshares again (a second
 *            taint of the same thread) and B runs there again.
 *   correct  task A unshares while locked (mn_lock_thread) then unlocks
 *            (libmn retires the thread), and mn_ns_do runs a function in
 *            that namespace on a dedicated thread; B runs meanwhile.
 *   pre      prints its thread ids and "ready", waits for a line on stdin
 *            (parked in the netpoller: no thread is created meanwhile),
 *            then runs "leak": its threads started before a tracer could.
 *   hold     runs "leak", then prints "ready" and waits for a line on
 *            stdin with its thread still tainted (for `nstaint top`).
 *   clonens  task A unshares uts without mn_lock_thread, then clones a
 *            raw thread (CLONE_THREAD) into a new uts namespace and waits
 *            for it to exit: a child of A's taint, born tainted.
 *   calls    task A unshares uts without locking and names its new uts
 *            namespace "nstaint-leak"; then CALLS_TASKS short tasks each
 *            call uname(2) and print "wrong task=ID" if the kernel answered
 *            with that name (the call ran in A's namespace), else
 *            "right task=ID": the ground truth, from the kernel.
 * A task is seen by a tracer at a context switch of its thread, so the
 * tasks sleep with usleep (a blocking call on the thread) where they must
 * be seen.  Prints task ids and tids for the test to check records with.
 */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#include <mn.h>
#include <nstaint/mn_abi.h>

#include "../lib/rawthread.h"

extern struct mn_abi_registry mn_nstaint_registry;

static mn_chan *go_b, *b_done;

static long gettid_(void)
{
	return syscall(SYS_gettid);
}

/* Seen on whatever thread it runs on, once per wake-up. */
static void task_b(void *arg)
{
	while (mn_chan_recv(go_b, NULL)) {
		printf("b task=%llu tid=%ld\n",
		       (unsigned long long)mn_task_id(), gettid_());
		fflush(stdout);
		usleep(20000);
		mn_chan_send(b_done, NULL);
	}
}

static void run_b(void)
{
	mn_chan_send(go_b, NULL);
	mn_chan_recv(b_done, NULL);
}

static void fail(const char *what)
{
	perror(what);
	exit(1);
}

/* Unlocked: the bug.  Two taints of one thread, B on it after each. */
static void leak(void)
{
	int home = open("/proc/thread-self/ns/uts", O_RDONLY | O_CLOEXEC);

	if (home < 0 || unshare(CLONE_NEWUTS))
		fail("mnleak: unshare");
	printf("tainted task=%llu tid=%ld\n",
	       (unsigned long long)mn_task_id(), gettid_());
	usleep(20000);
	run_b();
	if (setns(home, CLONE_NEWUTS) || unshare(CLONE_NEWUTS))
		fail("mnleak: setns home, unshare again");
	printf("retainted task=%llu tid=%ld\n",
	       (unsigned long long)mn_task_id(), gettid_());
	run_b();
	close(home);
}

static struct raw_thread clone_thread;

/* A tainted thread's task clones a thread into a new uts namespace. */
static void clone_from_owner(void)
{
	pid_t tid;

	if (unshare(CLONE_NEWUTS))
		fail("mnleak: unshare");
	tid = raw_thread_start(&clone_thread, raw_thread_exit, NULL,
			       CLONE_NEWUTS);
	if (tid < 0)
		fail("mnleak: clone");
	raw_thread_join(&clone_thread);
	printf("clonens task=%llu tid=%ld child=%d\n",
	       (unsigned long long)mn_task_id(), gettid_(), tid);
}

#define CALLS_TASKS	50
#define LEAK_NAME	"nstaint-leak"

static mn_waitgroup calls_wg;

/* One uname(2): which uts namespace did this task's call run in? */
static void uname_task(void *arg)
{
	struct utsname u;

	if (uname(&u))
		fail("mnleak: uname");
	printf("%s task=%llu\n", strcmp(u.nodename, LEAK_NAME) ? "right" :
	       "wrong", (unsigned long long)mn_task_id());
	mn_wg_done(&calls_wg);
}

/* Unlocked unshare, then tasks whose system calls run there. */
static void calls(void)
{
	if (unshare(CLONE_NEWUTS) || sethostname(LEAK_NAME, strlen(LEAK_NAME)))
		fail("mnleak: unshare, sethostname");
	printf("tainted task=%llu tid=%ld\n",
	       (unsigned long long)mn_task_id(), gettid_());
	mn_wg_add(&calls_wg, CALLS_TASKS);
	for (int i = 0; i < CALLS_TASKS; i++)
		mn_go(uname_task, NULL);
	mn_wg_wait(&calls_wg);
}

static int in_ns(void *arg)
{
	printf("ns_do task=%llu tid=%ld\n",
	       (unsigned long long)mn_task_id(), gettid_());
	usleep(20000);
	return 0;
}

/* Locked, then mn_ns_do: the legal ways to work in a namespace. */
static void correct(void)
{
	int nsfd;

	mn_lock_thread();
	if (unshare(CLONE_NEWUTS))
		fail("mnleak: unshare");
	printf("locked task=%llu tid=%ld\n",
	       (unsigned long long)mn_task_id(), gettid_());
	nsfd = open("/proc/thread-self/ns/uts", O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		fail("mnleak: open ns");
	usleep(20000);
	run_b();
	mn_unlock_thread();	/* namespaces differ: libmn retires it */
	if (mn_ns_do(nsfd, CLONE_NEWUTS, in_ns, NULL))
		fail("mnleak: mn_ns_do");
	run_b();
	close(nsfd);
}

static void wait_line(void)
{
	struct mn_abi_registry *r = &mn_nstaint_registry;
	char buf[64];

	printf("threads");
	for (__u32 i = 0; i < r->nr_used; i++)
		if (r->threads[i].slot_addr)
			printf(" %u", r->threads[i].tid);
	printf("\nready\n");
	fflush(stdout);
	if (mn_read(0, buf, sizeof(buf)) <= 0)
		fail("mnleak: read stdin");
}

static int main_task(void *arg)
{
	const char *mode = arg;

	go_b = mn_chan_make(0, 0);
	b_done = mn_chan_make(0, 0);
	mn_go(task_b, NULL);
	if (!strcmp(mode, "leak")) {
		leak();
	} else if (!strcmp(mode, "correct")) {
		correct();
	} else if (!strcmp(mode, "pre")) {
		wait_line();
		leak();
	} else if (!strcmp(mode, "clonens")) {
		clone_from_owner();
	} else if (!strcmp(mode, "hold")) {
		leak();
		wait_line();
	} else if (!strcmp(mode, "calls")) {
		calls();
	} else {
		fprintf(stderr, "usage: mnleak leak|correct|pre|hold|clonens|calls\n");
		return 2;
	}
	mn_chan_close(go_b);
	return 0;
}

int main(int argc, char **argv)
{
	setenv("MN_PROCS", "1", 1);
	setvbuf(stdout, NULL, _IOLBF, 0);
	return mn_main(main_task, argc > 1 ? argv[1] : "");
}
