// SPDX-License-Identifier: GPL-2.0-only
/*
 * sysmon.c: the monitor thread (Go's sysmon), which never runs tasks and
 * never holds a P.
 *
 * Owns: the sysmon thread's loop (mn_sysmon_main) and its wakeup
 * (mn_sysmon_kick, the eventfd in mn_sched.epfd and sysmon_ep); SIGQUIT
 * handling (the handler only sets a flag; sysmon prints every task and
 * exits).
 *
 * Each pass: runs the expired timers of idle Ps, of Ps in system calls
 * and of running Ps whose own M has not run them for SYSMON_TIMER_SLACK
 * and has not scheduled since (mn_timers_watch, mn_timers_sysmon: a
 * running P's M runs them in findrunnable), retakes
 * Ps stuck in system calls (syscall.c), delivers netpoll events
 * (netpoll.c: it waits on the idle Ps' epoll instances while a P is
 * idle, the running Ps poll their own, and every SYSMON_NETPOLL it
 * takes the work of stale Ps and looks at the instances not polled
 * since), and declares a deadlock when every P is
 * idle with nothing in a system call, the netpoller or a timer, and no
 * task ran for 5 ms (debug.c).
 *
 * Invariants:
 *  - sysmon_until is the time sysmon will wake by itself, 0 while it is
 *    awake.  Whoever adds earlier work (a timer, a system call) and sees a
 *    later sysmon_until kicks it (timer.c, syscall.c); sysmon rechecks the
 *    timers after publishing sysmon_until, so a timer added in between is
 *    not slept through.
 *  - The signal handler does nothing but an atomic store and a write(2):
 *    both async-signal-safe.  Runtime threads block SIGQUIT; sysmon alone
 *    unblocks it, so the handler never runs on a task's stack.
 */
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

static _Atomic int sigquit_pending;

#define SYSMON_NETPOLL 10000000		/* ns: Go's sysmon polls the network as often */

/* Wake sysmon now.  Any thread, no lock needed; async-signal-safe. */
void mn_sysmon_kick(void)
{
	uint64_t one = 1;

	if (mn_sched.evfd >= 0)
		(void)!write(mn_sched.evfd, &one, sizeof(one));
}

/* The SIGQUIT handler: runs on the sysmon thread only (the others block
 * the signal), so it never interrupts a task switch. */
void mn_on_sigquit(int sig)
{
	atomic_store(&sigquit_pending, 1);
	mn_sysmon_kick();
}

/* The sysmon thread (init.c starts it): holds no P and no struct mn_m
 * of its own in mn_tls_m, so it never runs a task. */
void *mn_sysmon_main(void *arg)
{
	struct mn_m self = { .reg_index = -1 };
	struct epoll_event evs[128];
	int64_t delay = 20000, suspect = 0, netlook = 0;
	uint64_t suspect_progress = 0;

	sigset_t quit;

	self.tid = (pid_t)syscall(SYS_gettid);
	mn_registry_add(&self, MN_ABI_THREAD_SYSMON);
	sem_post(&mn_runtime_threads_up);
	sigemptyset(&quit);
	sigaddset(&quit, SIGQUIT);
	pthread_sigmask(SIG_UNBLOCK, &quit, NULL);
	for (;;) {
		int64_t now, next = 0, until, t;
		struct timespec ts __attribute__((unused));
		int n, i, ep, npidle;

		atomic_store(&mn_sched.sysmon_until, 0);
		atomic_store(&mn_sched.sysmon_allidle, 0);
		now = mn_nanotime();
		for (i = 0; i < mn_sched.nprocs; i++) {
			t = mn_timers_sysmon(&mn_sched.allp[i], now);
			if (t && (!next || t < next))
				next = t;
		}
		until = next ? next : INT64_MAX;
		if (atomic_load(&mn_sched.nsyscall) > 0) {
			if (mn_retake(now))
				delay = 20000;
			else if (delay < 10000000)
				delay *= 2;
			if (now + delay < until)
				until = now + delay;
		} else {
			delay = 20000;
		}
		/* Deadlock: every P idle, nothing in a system call, the
		 * netpoller or a timer, and no progress for 5 ms. */
		if (mn_sched.started && !__atomic_load_n(&mn_sched.main_done, __ATOMIC_ACQUIRE) &&
		    mn_deadlock_check()) {
			uint64_t prog = 0;

			for (i = 0; i < mn_sched.nprocs; i++)
				prog += __atomic_load_n(&mn_sched.allp[i].schedtick, __ATOMIC_RELAXED);

			if (suspect && prog == suspect_progress && now - suspect >= 5000000)
				mn_fatal_deadlock();
			if (!suspect || prog != suspect_progress) {
				suspect = now;
				suspect_progress = prog;
			}
			if (now + 5000000 < until)
				until = now + 5000000;
		} else {
			suspect = 0;
		}
		/* No P idle: the Ps look at the network whenever they run
		 * out of local work (findrunnable), and waiting on it here
		 * woke sysmon for every readiness edge, only to queue the
		 * task for a P that would have found it (echo: one wakeup per
		 * request).  So wait on the eventfd alone and look at the
		 * network every SYSMON_NETPOLL; a P going idle kicks us back
		 * (pidleput).  seq_cst pairs with pidleput's npidle add.
		 * With a P idle, mn_sched.epfd holds only the idle Ps' epoll
		 * instances (netpoll.c).  Every SYSMON_NETPOLL we take the
		 * work of stale Ps and look at the instances their owners
		 * have not polled since (netpoll.c). */
		ep = mn_sched.epfd;
		atomic_store(&mn_sched.sysmon_busy, 1);
		atomic_store(&mn_sched.sysmon_allidle, 1);	/* seq_cst: see pidleget */
		npidle = atomic_load(&mn_sched.npidle);
		if (npidle == 0)
			ep = mn_sched.sysmon_ep;
		else
			atomic_store(&mn_sched.sysmon_busy, 0);
		if (npidle < mn_sched.nprocs && netlook + SYSMON_NETPOLL < until)
			until = netlook + SYSMON_NETPOLL;
		/* Every P idle: no look is due until one runs again, and that
		 * one kicks us, unless we wake within SYSMON_NETPOLL anyway
		 * (a sleeping task's timer: no kick for each of its wakes). */
		if (npidle < mn_sched.nprocs || until - now < SYSMON_NETPOLL)
			atomic_store(&mn_sched.sysmon_allidle, 0);
		atomic_store(&mn_sched.sysmon_until, until);
		for (i = 0, t = 0; i < mn_sched.nprocs && !t; i++) {
			t = mn_timers_sysmon_due(&mn_sched.allp[i]);
			t = t < until ? t : 0;
		}
		if (t)
			continue;	/* a timer, or a P going idle, raced with us */
#ifdef MN_TSAN
		/* TSan delivers signals (SIGQUIT) only inside calls it
		 * intercepts, which epoll_pwait2 is not. */
		if (until == INT64_MAX) {
			n = epoll_wait(ep, evs, 128, -1);
		} else {
			int64_t d = until - mn_nanotime();

			n = epoll_wait(ep, evs, 128, d <= 0 ? 0 : (int)((d + 999999) / 1000000));
		}
#else
		if (until == INT64_MAX) {
			n = epoll_pwait2(ep, evs, 128, NULL, NULL);
		} else {
			int64_t d = until - mn_nanotime();

			if (d < 0)
				d = 0;
			ts.tv_sec = d / 1000000000LL;
			ts.tv_nsec = d % 1000000000LL;
			n = epoll_pwait2(ep, evs, 128, &ts, NULL);
		}
#endif
		for (i = 0; i < n; i++) {
			if (evs[i].data.u64 == (uint64_t)mn_sched.evfd) {
				uint64_t v;

				(void)!read(mn_sched.evfd, &v, sizeof(v));
			}
		}
		if (n > 0)
			mn_netpoll_sysmon(evs, n);
		if (ep != mn_sched.epfd)
			atomic_store(&mn_sched.sysmon_busy, 0);
		if (npidle < mn_sched.nprocs && (now = mn_nanotime()) >= netlook + SYSMON_NETPOLL) {
			mn_netpoll_sysmon_look(SYSMON_NETPOLL);
			netlook = now;
		}
		if (atomic_load(&sigquit_pending)) {
			dprintf(2, "SIGQUIT: quit\n");
			mn_dump_tasks(2);
			_exit(2);
		}
	}
	return arg;
}
