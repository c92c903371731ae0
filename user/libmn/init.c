// SPDX-License-Identifier: GPL-2.0-only
/*
 * init.c: starting the runtime and mn_main (Go's schedinit and
 * runtime.main).
 *
 * Owns: mn_runtime_init (once per process, from the first libmn call
 * that needs the runtime), the settings read from the environment
 * (MN_PROCS, MN_STACK_SIZE, MN_NO_SIGQUIT, MN_LEAKS), the Ps' creation,
 * the poller's epoll instance and eventfd, starting the template and
 * sysmon threads, and mn_main.
 *
 * Invariants:
 *  - After mn_runtime_init returns, allp and nprocs never change, and
 *    the template and sysmon threads are in mn_nstaint_registry (they
 *    post mn_runtime_threads_up once listed).
 *  - main_done is 1 while no mn_main runs: tasks started with mn_go from
 *    plain threads may wait for those threads, so sysmon gives no
 *    deadlock verdict then.
 *  - Runtime threads are created with SIGQUIT blocked (sysmon unblocks
 *    it for itself, sysmon.c).
 */
#include <errno.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "internal.h"
#include "race.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

/*
 * Posted by the template and sysmon threads once they are in
 * mn_nstaint_registry: the runtime is not handed out before both are, so
 * a tool reading the registry after start sees every runtime thread.
 */
sem_t mn_runtime_threads_up;

static int ncpus(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		return CPU_COUNT(&set);
	return (int)sysconf(_SC_NPROCESSORS_ONLN);
}

/* The parser of libmn's ranged numeric settings (internal.h). */
unsigned int mn_env_number(const char *name, unsigned int def, unsigned int min,
			   unsigned int max, bool pow2)
{
	const char *e = getenv(name);
	unsigned long n;
	char *end;

	if (!e || !*e)
		return def;
	n = strtoul(e, &end, 0);
	if (*end || n < min || n > max || (pow2 && (n & (n - 1)))) {
		fprintf(stderr, "libmn: %s=%s is not a %s from %u to %u: using %u\n",
			name, e, pow2 ? "power of two" : "number", min, max, def);
		return def;
	}
	return n;
}

static void do_init(void)
{
	const char *e;
	pthread_t t;
	pthread_attr_t attr;
	struct epoll_event ev = { .events = EPOLLIN };
	struct sigaction sa, old;
	sigset_t quit, oldmask;
	int i, n;

	mn_stack_init();
	n = ncpus();
	e = getenv("MN_PROCS");
	if (e && atoi(e) > 0)
		n = atoi(e);
	if (n > 1024)
		n = 1024;
	mn_sched.nprocs = n;
	mn_sched.stack_size = 64 * 1024;
	e = getenv("MN_STACK_SIZE");
	if (e && strtoul(e, NULL, 0) >= 16384)
		mn_sched.stack_size = (strtoul(e, NULL, 0) + mn_pagesz - 1) & ~(mn_pagesz - 1);
	/* ns; netpoll.c.  The bound keeps µs * 1000 far from overflow. */
	mn_sched.netpoll_stale = (int64_t)mn_env_number("MN_NETPOLL_STALE_US", 2000, 0,
							60000000, false) * 1000;
	mn_sched.allp = aligned_alloc(64, sizeof(struct mn_p) * (size_t)n);
	if (!mn_sched.allp)
		mn_fatal("out of memory");
	memset(mn_sched.allp, 0, sizeof(struct mn_p) * (size_t)n);
	for (i = n - 1; i >= 0; i--) {
		struct mn_p *p = &mn_sched.allp[i];

		p->id = i;
		atomic_store_explicit(&p->cpu, -1, memory_order_relaxed);
		p->rand = 0x9E3779B97F4A7C15ULL * (uint64_t)(i + 1);
		p->link = mn_sched.pidle;
		mn_sched.pidle = p;
	}
	atomic_store(&mn_sched.npidle, n);
	/* CPU numbers go up to the configured count, not the online one. */
	mn_sched.ncpu_map = (int)sysconf(_SC_NPROCESSORS_CONF);
	if (mn_sched.ncpu_map < 1)
		mn_sched.ncpu_map = 1;
	mn_sched.cpu_p = malloc(sizeof(*mn_sched.cpu_p) * (size_t)mn_sched.ncpu_map);
	if (!mn_sched.cpu_p)
		mn_fatal("out of memory");
	for (i = 0; i < mn_sched.ncpu_map; i++)
		atomic_store_explicit(&mn_sched.cpu_p[i], -1, memory_order_relaxed);
	atomic_store(&mn_sched.sysmon_until, 0);
	/* No mn_main running yet: tasks started with mn_go from plain threads
	 * may wait for those threads, so no deadlock verdict until then. */
	mn_sched.main_done = 1;
	mn_sched.epfd = epoll_create1(EPOLL_CLOEXEC);
	mn_sched.sysmon_ep = epoll_create1(EPOLL_CLOEXEC);
	mn_sched.evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (mn_sched.epfd < 0 || mn_sched.sysmon_ep < 0 || mn_sched.evfd < 0)
		mn_fatal("cannot create the poller: %s", strerror(errno));
	ev.data.fd = mn_sched.evfd;
	epoll_ctl(mn_sched.epfd, EPOLL_CTL_ADD, mn_sched.evfd, &ev);
	epoll_ctl(mn_sched.sysmon_ep, EPOLL_CTL_ADD, mn_sched.evfd, &ev);
	mn_netpoll_init();
	mn_debug_init();

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = mn_on_sigquit;
	sa.sa_flags = SA_RESTART;
	if (!getenv("MN_NO_SIGQUIT") && sigaction(SIGQUIT, NULL, &old) == 0 && old.sa_handler == SIG_DFL)
		sigaction(SIGQUIT, &sa, NULL);

	mn_sched.started = true;
	/* Runtime threads never take SIGQUIT (sysmon unblocks it): the
	 * handler must not run on a task's stack in the middle of a switch. */
	sigemptyset(&quit);
	sigaddset(&quit, SIGQUIT);
	pthread_sigmask(SIG_BLOCK, &quit, &oldmask);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	sem_init(&mn_runtime_threads_up, 0, 0);
	if (pthread_create(&t, &attr, mn_template_main, NULL) ||
	    pthread_create(&t, &attr, mn_sysmon_main, NULL))
		mn_fatal("cannot create runtime threads");
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &oldmask, NULL);
	for (int up = 0; up < 2; up++)
		while (sem_wait(&mn_runtime_threads_up) && errno == EINTR)
			;
}

void mn_runtime_init(void)
{
	pthread_once(&init_once, do_init);
}

struct main_arg {
	int (*fn)(void *);
	void *arg;
	int ret;
};

static void main_task(void *a)
{
	struct main_arg *ma = a;

	ma->ret = ma->fn(ma->arg);
	mn_race_release(&mn_sched.main_done);	/* main_fn before mn_main returns */
	__atomic_store_n(&mn_sched.main_done, 1, __ATOMIC_RELEASE);
	mn_futex_wake(&mn_sched.main_done, 1);
}

int mn_main(int (*main_fn)(void *), void *arg)
{
	struct main_arg ma = { main_fn, arg, 0 };
	const char *e;

	if (mn_getm())
		mn_fatal("mn_main called from a task or a runtime thread");
	mn_runtime_init();
	__atomic_store_n(&mn_sched.main_done, 0, __ATOMIC_RELEASE);
	mn_go_at(main_task, &ma, "mn_main", 0);
	while (__atomic_load_n(&mn_sched.main_done, __ATOMIC_ACQUIRE) == 0) {
#ifdef MN_TSAN
		mn_futex_wait(&mn_sched.main_done, 0, 20000000);
		usleep(1);	/* an intercepted call: TSan runs pending signal handlers */
#else
		mn_futex_wait(&mn_sched.main_done, 0, -1);
#endif
	}
	mn_race_acquire(&mn_sched.main_done);
	e = getenv("MN_LEAKS");
	if ((e && *e && strcmp(e, "0")) || atomic_load(&mn_sched.leak_check))
		mn_report_leaks(2);
	return ma.ret;
}
