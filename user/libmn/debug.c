// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reports: fatal errors naming the task and where it was created, the
 * deadlock detector's test, the task dump (SIGQUIT, mn_dump_tasks) and the
 * leak report at exit (mn_report_leaks, MN_LEAKS=1).  Each report but the
 * dump goes to stderr and to the report ring (ring.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "internal.h"
#include "ring.h"

static const char *status_name(int st)
{
	switch (st) {
	case G_RUNNABLE:
		return "runnable";
	case G_RUNNING:
		return "running";
	case G_SYSCALL:
		return "syscall";
	case G_WAITING:
		return "waiting";
	case G_DEAD:
		return "dead";
	}
	return "idle";
}

void mn_describe_g(int fd, struct mn_g *g)
{
	int st = atomic_load(&g->status);
	const char *what = st == G_WAITING && g->waitreason ? g->waitreason : status_name(st);

	dprintf(fd, "task %llu [%s%s]:\n\tcreated at %s:%d by task %llu\n",
		(unsigned long long)g->id, what, g->lockcount ? ", locked to thread" : "",
		g->file ? g->file : "?", g->line, (unsigned long long)g->parent);
}

static __attribute__((noreturn)) void vfatal(struct mn_g *g, int code, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	mn_ring_error(g, code, msg, 2);	/* vfatal, mn_fatal*'s */
	dprintf(2, "fatal error: %s\n\n", msg);
	if (g)
		mn_describe_g(2, g);
	else
		dprintf(2, "(not in a task)\n");
	mn_ring_linger();
	_exit(2);
}

void mn_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfatal(mn_getg(), MN_RING_ERR_OTHER, fmt, ap);
}

void mn_fatal_outside(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfatal(mn_getg(), MN_RING_ERR_OUTSIDE_TASK, fmt, ap);
}

/* Every P idle and nothing that could wake a task: list them all, like Go. */
void mn_fatal_deadlock(void)
{
	mn_ring_error(NULL, MN_RING_ERR_DEADLOCK, "all tasks are asleep - deadlock!", 1);
	dprintf(2, "fatal error: all tasks are asleep - deadlock!\n\n");
	mn_dump_tasks(2);
	mn_ring_linger();
	_exit(2);
}

void mn_fatal_g(struct mn_g *g, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfatal(g, code, fmt, ap);
}

void mn_dump_tasks(int fd)
{
	mn_lk_lock(&mn_sched.allg_lock);
	for (struct mn_g *g = mn_sched.allg; g; g = g->alllink) {
		int st = atomic_load(&g->status);

		if (st == G_DEAD || st == G_IDLE)
			continue;
		mn_describe_g(fd, g);
		dprintf(fd, "\n");
	}
	mn_lk_unlock(&mn_sched.allg_lock);
}

bool mn_deadlock_check(void)
{
	return atomic_load(&mn_sched.npidle) == mn_sched.nprocs &&
	       atomic_load(&mn_sched.nsyscall) == 0 &&
	       atomic_load(&mn_sched.nnetwait) == 0 &&
	       atomic_load(&mn_sched.runqsize) == 0 &&
	       mn_ntasks() > 0 &&
	       mn_timers_earliest() == 0;
}

int mn_report_leaks(int fd)
{
	struct mn_g *self = mn_getg();
	int n = 0;

	mn_lk_lock(&mn_sched.allg_lock);
	for (struct mn_g *g = mn_sched.allg; g; g = g->alllink) {
		if (g == self || atomic_load(&g->status) != G_WAITING)
			continue;
		char msg[MN_RING_MSG];

		snprintf(msg, sizeof(msg), "blocked in %s, created at %s:%d",
			 g->waitreason ? g->waitreason : "?", g->file ? g->file : "?", g->line);
		dprintf(fd, "libmn: leak: task %llu %s by task %llu\n",
			(unsigned long long)g->id, msg, (unsigned long long)g->parent);
		mn_ring_leak(MN_RING_TASK_LEAK, g->id, g->parent, msg);
		n++;
	}
	mn_lk_unlock(&mn_sched.allg_lock);
	return n + mn_ctx_report_leaks(fd);
}

void mn_debug_init(void)
{
	mn_ring_init();
}
