// SPDX-License-Identifier: GPL-2.0-only
/*
 * A tainted thread held as long as the test wants, for the agent's fault
 * tests: a second thread unshares its uts namespace, prints
 * "tainted tid=N" and waits; at the first line (or EOF) on stdin it
 * exits, and main prints "exited tid=N"; at the second main exits.  The
 * test checks /proc/PID/task/N/ns/uts itself: this program is not the
 * oracle.  Both threads drop every capability once they no longer need
 * them, so that an agent without capabilities (the fallback test) may
 * read their /proc entries: ptrace's access check wants the target's
 * permitted set to be within the reader's.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/syscall.h>

static int go[2];

/* The calling thread's capabilities, all of them (capset is per thread). */
static void drop_caps(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = { { 0 } };

	if (syscall(SYS_capset, &h, d)) {
		perror("holdtaint: capset");
		exit(1);
	}
}

static void *worker(void *arg)
{
	char c;

	if (unshare(CLONE_NEWUTS)) {
		perror("holdtaint: unshare");
		exit(1);
	}
	drop_caps();
	*(long *)arg = syscall(SYS_gettid);
	printf("tainted tid=%ld\n", *(long *)arg);
	fflush(stdout);
	if (read(go[0], &c, 1) < 0)
		exit(1);
	return NULL;
}

int main(void)
{
	pthread_t t;
	char line[64], c = 1;
	long tid = 0;

	if (pipe(go) || pthread_create(&t, NULL, worker, &tid))
		return 1;
	drop_caps();
	if (!fgets(line, sizeof(line), stdin))
		line[0] = 0;
	if (write(go[1], &c, 1) != 1 || pthread_join(t, NULL))
		return 1;
	printf("exited tid=%ld\n", tid);
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		line[0] = 0;
	return 0;
}
