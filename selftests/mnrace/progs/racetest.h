/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the mnrace test programs share.  Each program is run as
 * "PROG race" and "PROG norace": the racy variant makes two accesses,
 * marked "mark:first" and "mark:second" in its source, with no edge
 * between them, always in that order (the invisible barrier orders them
 * without synchronising); the race-free variant puts the edge under test
 * between the same two accesses.  selftests/mnrace/mnrace_test.sh reads
 * the marks' line numbers from the source and checks the report.
 */
#ifndef RACETEST_H
#define RACETEST_H

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mnrace.h"

static int racy;
static invisible_barrier_t order;

/* Call first: the variant from argv, the barrier for @n tasks. */
static inline void racetest_init(int argc, char **argv, unsigned n)
{
	if (argc != 2 || (strcmp(argv[1], "race") && strcmp(argv[1], "norace"))) {
		fprintf(stderr, "usage: %s race|norace\n", argv[0]);
		exit(2);
	}
	racy = !strcmp(argv[1], "race");
	__tsan_testonly_barrier_init(&order, n);
}

/* Everyone waits here; no happens-before comes out of it. */
static inline void step(void)
{
	__tsan_testonly_barrier_wait(&order);
}

static inline pthread_t spawn(void *(*fn)(void *), void *arg)
{
	pthread_t t;

	if (pthread_create(&t, NULL, fn, arg)) {
		perror("pthread_create");
		exit(2);
	}
	return t;
}

/* A thread's kernel tid, for thread_gone; set by the thread itself. */
static inline void thread_say_tid(pid_t *tid)
{
	__atomic_store_n(tid, (pid_t)syscall(SYS_gettid), __ATOMIC_RELAXED);
}

/* Until the thread that stored *@tid has been reaped by the kernel (its
 * /proc/self/task entry is gone): it ended, with no edge to the caller. */
static inline void thread_gone(const pid_t *tidp)
{
	char path[64];
	struct stat st;
	pid_t tid;

	while (!(tid = __atomic_load_n(tidp, __ATOMIC_RELAXED)))
		sched_yield();
	snprintf(path, sizeof(path), "/proc/self/task/%d", (int)tid);
	while (stat(path, &st) == 0)
		usleep(1000);
}

#endif
