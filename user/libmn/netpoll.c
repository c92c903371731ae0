// SPDX-License-Identifier: GPL-2.0-only
/*
 * The network poller: every fd used with mn_read/mn_write/mn_accept/
 * mn_connect is made non-blocking and registered, edge-triggered, with
 * the epoll instance of one P (its home: at first the P of the task that
 * first used it).  A P out of work polls its own instance (findrunnable);
 * an idle P's is nested in mn_sched.epfd, where sysmon waits while a P
 * is idle (mn_netpoll_nest, sysmon.c).  A task that gets EAGAIN parks
 * on the fd's descriptor; the event (or its deadline timer) readies it.
 * Like Go's pollDesc, a readiness edge that arrives with nobody waiting
 * is remembered in rready/wready.
 *
 * Steering (steer): a socket's task is readied on the P whose thread runs
 * on the CPU where the kernel processed its last packet, and the fd moves
 * to that P's instance.  On loopback that CPU is the writer's, so both
 * ends of a connection end up on one P and one CPU: the receive-side TCP
 * work, the socket's cache lines and its wakeups stay on one CPU instead
 * of bouncing between two (echo: one P per CPU did 1.56 times the work of
 * one process using both).  A P takes no steered fd while it holds many
 * more fds than the poller's P: the pairs of tasks spread evenly over the
 * Ps.
 * Go has one epoll and no steering.
 *
 * Stale Ps: a running P that has run no task for 2 ms
 * (MN_NETPOLL_STALE_US) is in a long task or its thread is off the
 * CPU (preempted, its vCPU stolen by the host).  Under Go's one poller
 * any other P would run the tasks its fds wake; here nothing is steered
 * to it, a P that looks at the network (findrunnable, sysmon) takes its
 * events and its inbox and runs them itself, and one that runs out of
 * work first steals half its run queue (findrunnable).  The fds stay
 * on the stale P's instance: it takes them back with its next poll,
 * and a stall moves no fd (two epoll_ctl each) either way.  echo_1000 with its busiest thread
 * stopped 15 ms in every 150 (bench/libmn/stall.c), fifteen alternating
 * runs each: p99 23.7 ms before, 15.7 after, Go 19.4 (docs/libmn.md).
 *
 * fds epoll cannot watch (regular files) fall back to a blocking call
 * bracketed by mn_syscall_enter/exit, so the P is handed off if it blocks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"
#include "race.h"

#define PD_MAX 1048576

struct pd {
	uint32_t lock;
	bool registered, nopoll, closing;
	bool rready, wready;
	bool nosteer;			/* SO_INCOMING_CPU refused: not a socket */
	int home;			/* P whose epoll instance holds the fd */
	/* SO_INCOMING_CPU as last read (-1: never), and the events left
	 * in which it may keep the task where it is (steer).  Pollers
	 * only, relaxed: a stale value just steers one task less well. */
	int incpu, incpu_left;
	int fd;
	struct mn_g *rg, *wg;
	uint64_t rtoken, wtoken;
	int64_t rdl, wdl;
};

static struct pd *_Atomic *pds;
static uint32_t pds_lock;

#define EV_FLAGS (EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET)
/* Tag of a P's epoll instance in mn_sched.epfd (an fd's data is its
 * number, < 2^31). */
#define EP_TAG (1ULL << 32)

/*
 * An idle P's instance is in mn_sched.epfd, where sysmon waits while a
 * P is idle, if a task waited on the network when it went idle (else
 * a task that parks on an fd of that P moves the fd to its own: pd_wait;
 * nesting at every idle cost chan_buffered ~7%, a nested epoll_ctl_add
 * under sched.lock); a running P's is not: the P polls it itself, and
 * sysmon every SYSMON_NETPOLL.  Nested, every event on the instance also ran
 * mn_sched.epfd's wakeup callback, which takes its lock, shared by all
 * CPUs (echo_1000: ~4% of the requests per second).  Adding it reports
 * the events it already has, so none is missed.
 */
void mn_netpoll_nest(struct mn_p *p, bool in)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = EP_TAG | (uint64_t)p->id };

	if (p->nested == in)
		return;
	if (epoll_ctl(mn_sched.epfd, in ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, p->epfd, &ev) < 0)
		mn_fatal("cannot %s a P's epoll instance: %s", in ? "nest" : "unnest", strerror(errno));
	p->nested = in;
}

/* After the Ps exist, all idle: one epoll instance each, nested. */
void mn_netpoll_init(void)
{
	pds = calloc(PD_MAX, sizeof(*pds));
	if (!pds)
		mn_fatal("out of memory for the netpoller");
	for (int i = 0; i < mn_sched.nprocs; i++) {
		mn_sched.allp[i].epfd = epoll_create1(EPOLL_CLOEXEC);
		if (mn_sched.allp[i].epfd < 0)
			mn_fatal("cannot create the poller: %s", strerror(errno));
		mn_netpoll_nest(&mn_sched.allp[i], true);
	}
}

static struct pd *pd_get(int fd)
{
	struct pd *pd;

	if (fd < 0 || fd >= PD_MAX)
		return NULL;
	pd = atomic_load(&pds[fd]);
	if (pd)
		return pd;
	mn_lk_lock(&pds_lock);
	pd = atomic_load(&pds[fd]);
	if (!pd) {
		pd = calloc(1, sizeof(*pd));
		if (!pd)
			mn_fatal("out of memory for the netpoller");
		pd->fd = fd;
		atomic_store(&pds[fd], pd);
	}
	mn_lk_unlock(&pds_lock);
	return pd;
}

/* Register fd once (non-blocking, edge-triggered). */
static struct pd *pd_open(int fd)
{
	struct pd *pd;
	struct epoll_event ev = { .events = EV_FLAGS };
	struct mn_m *m;
	int fl;

	mn_runtime_init();
	pd = pd_get(fd);
	if (!pd)
		return NULL;
	if (__atomic_load_n(&pd->registered, __ATOMIC_ACQUIRE))
		return pd;
	mn_lk_lock(&pd->lock);
	if (!pd->registered) {
		fl = fcntl(fd, F_GETFL);
		if (fl >= 0 && !(fl & O_NONBLOCK))
			fcntl(fd, F_SETFL, fl | O_NONBLOCK);
		ev.data.fd = fd;
		pd->nopoll = false;
		pd->nosteer = mn_sched.nprocs == 1;
		pd->incpu_left = 0;
		pd->incpu = -1;
		pd->closing = false;
		pd->rready = pd->wready = false;
		m = mn_getm();
		pd->home = m && m->p ? m->p->id : 0;
		if (epoll_ctl(mn_sched.allp[pd->home].epfd, EPOLL_CTL_ADD, fd, &ev) == 0)
			atomic_fetch_add_explicit(&mn_sched.allp[pd->home].nhomed, 1,
						  memory_order_relaxed);
		else if (errno != EEXIST) {
			pd->nopoll = true;
			if (fl >= 0 && !(fl & O_NONBLOCK))
				fcntl(fd, F_SETFL, fl);
		}
		__atomic_store_n(&pd->registered, true, __ATOMIC_RELEASE);
	}
	mn_lk_unlock(&pd->lock);
	return pd;
}

#define WAKE_TIMEOUT ((void *)1)
#define WAKE_CLOSED ((void *)2)

struct pdpark {
	struct pd *pd;
	struct mn_timer *timer;
};

/* On g0 after parking, holding pd->lock, which it releases; the timer
 * goes in before the unlock for the reason given at chan.c's
 * selpark_unlock. */
static void pd_park_unlock(void *a)
{
	struct pdpark *pp = a;
	struct pd *pd = pp->pd;

	if (pp->timer)
		mn_timer_add(pp->timer);
	mn_lk_unlock(&pd->lock);
}

static void pd_timeout(void *arg, uint64_t token)
{
	struct mn_g *g = arg;

	if (mn_token_win(g, token)) {
		g->param = WAKE_TIMEOUT;
		mn_ready_next(g, false);
	}
}

static void pd_rehome_locked(int fd, struct pd *pd, struct mn_p *p);

/* Wait for readiness ('r' or 'w').  0, -ETIMEDOUT or -EBADF. */
static int pd_wait(struct pd *pd, int mode)
{
	struct mn_g *g = mn_getg();
	struct mn_timer timer = { 0 };
	struct pdpark pp = { pd, NULL };
	bool *ready = mode == 'r' ? &pd->rready : &pd->wready;
	struct mn_g **slotg = mode == 'r' ? &pd->rg : &pd->wg;
	int64_t dl;
	uint64_t token;
	void *why;

	if (!g)
		mn_fatal_outside("mn_read/mn_write/mn_accept/mn_connect outside a task");
	mn_lk_lock(&pd->lock);
	dl = mode == 'r' ? pd->rdl : pd->wdl;
	if (pd->closing) {
		mn_lk_unlock(&pd->lock);
		return -EBADF;
	}
	if (*ready) {
		*ready = false;
		mn_lk_unlock(&pd->lock);
		return 0;
	}
	if (dl && mn_nanotime() >= dl) {
		mn_lk_unlock(&pd->lock);
		return -ETIMEDOUT;
	}
	token = mn_token_arm(g);
	g->param = NULL;
	*slotg = g;
	if (mode == 'r')
		pd->rtoken = token;
	else
		pd->wtoken = token;
	if (dl) {
		timer.when = dl;
		timer.fn = pd_timeout;
		timer.arg = g;
		timer.seq = token;
		pp.timer = &timer;
	}
	/* seq_cst, against pidleput's status store then nnetwait load: a
	 * P that went idle while nobody waited on the network is not
	 * nested in sysmon's instance (mn_netpoll_nest), so an fd there
	 * comes to ours, which runs. */
	atomic_fetch_add(&mn_sched.nnetwait, 1);
	if (atomic_load(&mn_sched.allp[pd->home].status) != P_RUNNING)
		pd_rehome_locked(pd->fd, pd, mn_getm()->p);
	mn_park(pd_park_unlock, &pp, mode == 'r' ? "IO wait (read)" : "IO wait (write)");
	atomic_fetch_sub(&mn_sched.nnetwait, 1);
	why = g->param;
	if (pp.timer && why != WAKE_TIMEOUT)
		mn_timer_del(&timer);
	mn_lk_lock(&pd->lock);
	if (*slotg == g)
		*slotg = NULL;
	mn_lk_unlock(&pd->lock);
	if (why == WAKE_TIMEOUT)
		return -ETIMEDOUT;
	if (why == WAKE_CLOSED)
		return -EBADF;
	return 0;
}

/* The task waiting on pd for @mode, now won by us, or NULL (the edge is
 * remembered).  Must hold pd->lock. */
static struct mn_g *pd_fire(struct pd *pd, int mode, void *why)
{
	struct mn_g **slotg = mode == 'r' ? &pd->rg : &pd->wg;
	struct mn_g *g = *slotg;
	uint64_t token = mode == 'r' ? pd->rtoken : pd->wtoken;

	if (g && mn_token_win(g, token)) {
		*slotg = NULL;
		g->param = why;
		return g;
	}
	if (mode == 'r')
		pd->rready = true;
	else
		pd->wready = true;
	return NULL;
}

/* Tasks queued on p, an estimate: another P's counters move meanwhile. */
static uint32_t queued(struct mn_p *p)
{
	return atomic_load_explicit(&p->runqtail, memory_order_relaxed) -
	       atomic_load_explicit(&p->runqhead, memory_order_relaxed);
}

/* A steered task is not sent to a P with this many more queued tasks
 * than the poller's own: it runs where it was polled, and its peer
 * follows it there (stealing alone would keep moving the pairs back). */
#define STEER_SLACK 32
/* Nor to a P with this many more fds than the poller's: else the pairs
 * pile up where they first met, and the tasks of the fuller P wait
 * longer for their turn (echo_1000: per-client mean latency 2.04-2.63
 * ms across clients without it, 2.47-2.54 ms with it). */
#define STEER_HOMED_SLACK 16
/* SO_INCOMING_CPU is a system call (~170 ns here): a value read is used
 * for this many events of the fd, but only to keep the task where it is;
 * a move is decided on a fresh read.  The peer of a task that moved has
 * a stale value: acting on it split pairs that had just met (echo_1000's
 * p99 ~10% higher).  The first read of an fd comes at fd % (this + 1)
 * events, not all at once: connections opened together would otherwise
 * re-read, and move, together (164 of echo_1000's 1000 slowest requests
 * were every client's 9th). */
#define STEER_REREAD 7
/*
 * True if @p is running and its schedtick has not moved since a look at
 * least mn_sched.netpoll_stale before @now.  Looks are the pollers' (every
 * findrunnable that reaches the network, sysmon's), so a P is found
 * stale between that long and that plus the gap between looks.  Any
 * thread; two racing lookers at worst restart the clock.
 */
bool mn_netpoll_stale(struct mn_p *p, int64_t now)
{
	uint32_t tick = __atomic_load_n(&p->schedtick, __ATOMIC_RELAXED);

	if (!mn_sched.netpoll_stale ||
	    atomic_load_explicit(&p->status, memory_order_relaxed) != P_RUNNING)
		return false;
	if (tick != atomic_load_explicit(&p->watch.tick, memory_order_relaxed)) {
		atomic_store_explicit(&p->watch.tick, tick, memory_order_relaxed);
		atomic_store_explicit(&p->watch.when, now, memory_order_relaxed);
		return false;
	}
	return now - atomic_load_explicit(&p->watch.when, memory_order_relaxed) >=
	       mn_sched.netpoll_stale;
}

/* SO_INCOMING_CPU of @fd, now, or -2 if the fd has none (not a socket:
 * never asked again). */
static int incpu_read(int fd, struct pd *pd)
{
	int cpu, left;
	socklen_t l = sizeof(cpu);

	if (getsockopt(fd, SOL_SOCKET, SO_INCOMING_CPU, &cpu, &l) != 0) {
		__atomic_store_n(&pd->nosteer, true, __ATOMIC_RELAXED);
		return -2;
	}
	left = __atomic_load_n(&pd->incpu, __ATOMIC_RELAXED) < 0 ? fd % (STEER_REREAD + 1)
								 : STEER_REREAD;
	__atomic_store_n(&pd->incpu, cpu, __ATOMIC_RELAXED);
	__atomic_store_n(&pd->incpu_left, left, __ATOMIC_RELAXED);
	return cpu;
}

/* The running P whose M is on @cpu, unless it is stale, or has
 * STEER_SLACK more tasks queued or STEER_HOMED_SLACK more fds than
 * @self; else @self. */
static struct mn_p *cpu_target(int cpu, struct mn_p *self, int64_t now)
{
	struct mn_p *p;
	int id;

	if (cpu < 0 || cpu >= mn_sched.ncpu_map)
		return self;
	id = atomic_load_explicit(&mn_sched.cpu_p[cpu], memory_order_relaxed);
	if (id < 0)
		return self;
	p = &mn_sched.allp[id];
	if (p == self)
		return p;
	if (atomic_load_explicit(&p->cpu, memory_order_relaxed) != cpu ||
	    atomic_load_explicit(&p->status, memory_order_relaxed) != P_RUNNING ||
	    mn_netpoll_stale(p, now))
		return self;
	if (queued(p) > (self ? queued(self) : 0) + STEER_SLACK)
		return self;
	if (self && atomic_load_explicit(&p->nhomed, memory_order_relaxed) >
		    atomic_load_explicit(&self->nhomed, memory_order_relaxed) + STEER_HOMED_SLACK)
		return self;
	return p;
}

/*
 * The P to run a task woken by @fd's readiness, polled by @self (the
 * caller's P, NULL on sysmon): cpu_target of the CPU where the kernel
 * processed the socket's last packet (SO_INCOMING_CPU).  NULL: none
 * (not a socket, one P): the caller's default.  No lock held.
 */
static struct mn_p *steer(int fd, struct pd *pd, struct mn_p *self, int64_t now)
{
	int left, cpu;

	if (__atomic_load_n(&pd->nosteer, __ATOMIC_RELAXED))
		return NULL;
	left = __atomic_load_n(&pd->incpu_left, __ATOMIC_RELAXED);
	if (left > 0) {
		__atomic_store_n(&pd->incpu_left, left - 1, __ATOMIC_RELAXED);
		if (cpu_target(__atomic_load_n(&pd->incpu, __ATOMIC_RELAXED), self, now) == self)
			return self;
	}
	cpu = incpu_read(fd, pd);
	return cpu == -2 ? NULL : cpu_target(cpu, self, now);
}

/* Move fd to @p's epoll instance: its next events go to p.  Adding it
 * reports the readiness it has now, so an edge the old instance had
 * queued is not lost.  Must hold pd->lock (the _locked one) or none. */
static void pd_rehome_locked(int fd, struct pd *pd, struct mn_p *p)
{
	struct epoll_event ev = { .events = EV_FLAGS, .data.fd = fd };

	if (pd->home != p->id && __atomic_load_n(&pd->registered, __ATOMIC_RELAXED) &&
	    !pd->nopoll && !pd->closing) {
		epoll_ctl(mn_sched.allp[pd->home].epfd, EPOLL_CTL_DEL, fd, NULL);
		if (epoll_ctl(p->epfd, EPOLL_CTL_ADD, fd, &ev) == 0) {
			atomic_fetch_sub_explicit(&mn_sched.allp[pd->home].nhomed, 1,
						  memory_order_relaxed);
			atomic_fetch_add_explicit(&p->nhomed, 1, memory_order_relaxed);
			pd->home = p->id;
		} else
			epoll_ctl(mn_sched.allp[pd->home].epfd, EPOLL_CTL_ADD, fd, &ev);
		/* pd->lock orders these before mn_close's close(fd);
		 * TSan does not see that lock. */
		mn_race_rt_release(pd);
	}
}

static void pd_rehome(int fd, struct pd *pd, struct mn_p *p)
{
	mn_lk_lock(&pd->lock);
	pd_rehome_locked(fd, pd, p);
	mn_lk_unlock(&pd->lock);
}

/* Ready the tasks waiting on the fds of @ev (from @from's instance;
 * @from_stale: a stale P's, whose tasks run here and whose fds stay). */
static int netpoll_events(struct epoll_event *ev, int n, struct mn_p *from, bool from_stale)
{
	struct mn_m *m = mn_getm();
	struct mn_p *self = m ? m->p : NULL, *target;
	struct mn_g *glob = NULL, *list, *g;
	int64_t now = mn_nanotime();
	int readied = 0;

	for (int i = 0; i < n; i++) {
		struct pd *pd;
		int fd = ev[i].data.fd;

		if (!ev[i].events || fd < 0 || fd >= PD_MAX)
			continue;
		pd = atomic_load(&pds[fd]);
		if (!pd)
			continue;
		list = NULL;
		mn_lk_lock(&pd->lock);
		if (ev[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
			g = pd_fire(pd, 'r', NULL);
			if (g) {
				g->schedlink = list;
				list = g;
			}
		}
		if (ev[i].events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) {
			g = pd_fire(pd, 'w', NULL);
			if (g) {
				g->schedlink = list;
				list = g;
			}
		}
		mn_lk_unlock(&pd->lock);
		if (!list)
			continue;
		for (g = list; ; g = g->schedlink) {
			MN_PROBE1(task_unblock, g->id);
			atomic_store(&g->status, G_RUNNABLE);
			readied++;
			if (!g->schedlink)
				break;
		}
		target = from_stale ? self : steer(fd, pd, self, now);
		if (target) {
			if (target != from && !from_stale)
				pd_rehome(fd, pd, target);
			mn_inject_on(target, list);
		} else {
			g->schedlink = glob;
			glob = list;
		}
	}
	mn_injectglist(glob);
	return readied;
}

/*
 * Deliver the events of @p's instance ready now, without blocking:
 * findrunnable's look at the network before it steals or sleeps (Go's
 * netpoll(0)), and sysmon's.  Returns the number of tasks readied.  Any
 * thread; no lock held.
 */
int mn_netpoll_poll(struct mn_p *p)
{
	struct epoll_event evs[64];
	struct mn_m *m = mn_getm();
	int n = epoll_wait(p->epfd, evs, 64, 0);

	if (m && m->p == p)
		atomic_store_explicit(&p->lastpoll, mn_nanotime(), memory_order_relaxed);
	return n > 0 ? netpoll_events(evs, n, p, false) : 0;
}

/*
 * Take the network work of each P but @self that is stale at @now
 * (mn_nanotime): the events ready on its instance and the tasks in its
 * inbox, for @self's queue (NULL, on sysmon: the global queue).
 * Returns the number of tasks readied.  Any
 * thread; no lock held.  The owner may poll and drain at the same time:
 * epoll hands each event to one caller, and the inbox is taken whole.
 */
int mn_netpoll_poll_stale(struct mn_p *self, int64_t now)
{
	int readied = 0;

	for (int i = 0; i < mn_sched.nprocs; i++) {
		struct mn_p *p = &mn_sched.allp[i];
		struct epoll_event evs[64];
		struct mn_g *list, *g;
		int n;

		if (p == self || !mn_netpoll_stale(p, now))
			continue;
		n = epoll_wait(p->epfd, evs, 64, 0);
		if (n > 0)
			readied += netpoll_events(evs, n, p, true);
		list = mn_inbox_take(p);
		for (g = list; g; g = g->schedlink)
			readied++;
		mn_inject_on(self, list);
	}
	return readied;
}

/*
 * sysmon, every @period: the work of the stale Ps, then the instances
 * of the others that have not polled their own for @period (a P that
 * always has a task queued never does).  One that has needs no look:
 * that only moved its tasks to the global queue, away from the P their
 * peers run on.
 */
void mn_netpoll_sysmon_look(int64_t period)
{
	int64_t now = mn_nanotime();

	mn_netpoll_poll_stale(NULL, now);
	for (int i = 0; i < mn_sched.nprocs; i++) {
		struct mn_p *p = &mn_sched.allp[i];

		if (atomic_load_explicit(&p->status, memory_order_relaxed) != P_RUNNING ||
		    now - atomic_load_explicit(&p->lastpoll, memory_order_relaxed) >= period)
			mn_netpoll_poll(p);
	}
}

/* sysmon: the instances mn_sched.epfd reported in @ev (others' entries
 * are ignored). */
void mn_netpoll_sysmon(struct epoll_event *ev, int n)
{
	for (int i = 0; i < n; i++) {
		uint64_t d = ev[i].data.u64;

		if ((d & EP_TAG) && (int)(uint32_t)d < mn_sched.nprocs)
			mn_netpoll_poll(&mn_sched.allp[(uint32_t)d]);
	}
}

/*
 * errno is per thread and a task may resume on another one; glibc's
 * __errno_location is "const", so the compiler may reuse the old thread's
 * address after a park.  Errors are therefore returned as -errno, and
 * errno is also set through this out-of-line helper for convenience.
 */
static __attribute__((noinline)) long fail(int err)
{
	errno = err;
	return -err;
}

static __attribute__((noinline)) int last_errno(void)
{
	return errno;
}

/*
 * read(2) and write(2) without glibc's wrappers, which are cancellation
 * points: each call brackets the system call with two calls that switch
 * asynchronous cancellation on and off (4% of echo_1000's CPU time).  No
 * M is ever cancelled: pthread_cancel of a thread running tasks is not
 * supported, so the bracket buys nothing here.  Go's runtime makes its
 * system calls raw too.  The sanitizer flavours keep glibc's calls: the
 * sanitizers' interceptors of read and write check the buffers (race.h
 * leaves that to TSan), and TSan's orders a write to an fd before the
 * read that gets its bytes.  Under mnrace, mn_read/mn_write record the
 * buffers themselves (race.h).
 */
#if defined(MN_TSAN) || defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define MN_IO_INTERCEPTED 1
#else
#define MN_IO_INTERCEPTED 0
#endif

static inline ssize_t sys_read(int fd, void *buf, size_t len)
{
	return MN_IO_INTERCEPTED ? read(fd, buf, len) : syscall(SYS_read, fd, buf, len);
}

static inline ssize_t sys_write(int fd, const void *buf, size_t len)
{
	return MN_IO_INTERCEPTED ? write(fd, buf, len) : syscall(SYS_write, fd, buf, len);
}

static ssize_t blocking_io(int fd, void *buf, size_t len, bool wr)
{
	ssize_t n;

	mn_syscall_enter();
	n = wr ? sys_write(fd, buf, len) : sys_read(fd, buf, len);
	n = n < 0 ? -last_errno() : n;
	mn_syscall_exit();
	return n < 0 ? fail((int)-n) : n;
}

static inline ssize_t read_io(int fd, void *buf, size_t len)
{
	struct pd *pd = pd_open(fd);
	ssize_t n;
	int err;

	if (!pd || pd->nopoll)
		return blocking_io(fd, buf, len, false);
	for (;;) {
		n = sys_read(fd, buf, len);
		if (n >= 0)
			return n;
		if (last_errno() != EAGAIN)
			return fail(last_errno());
		err = pd_wait(pd, 'r');
		if (err)
			return fail(-err);
	}
}

static inline ssize_t write_io(int fd, const void *buf, size_t len)
{
	struct pd *pd = pd_open(fd);
	size_t done = 0;
	ssize_t n;
	int err;

	if (!pd || pd->nopoll)
		return blocking_io(fd, (void *)buf, len, true);
	while (done < len) {
		n = sys_write(fd, (const char *)buf + done, len - done);
		if (n >= 0) {
			done += (size_t)n;
			continue;
		}
		if (last_errno() != EAGAIN)
			return done ? (ssize_t)done : fail(last_errno());
		err = pd_wait(pd, 'w');
		if (err)
			return done ? (ssize_t)done : fail(-err);
	}
	return (ssize_t)done;
}

/* The bytes moved count as the caller's accesses at its line (race.h):
 * mnrace's read/write interposers do not see sys_read/sys_write. */
ssize_t mn_read(int fd, void *buf, size_t len)
{
	ssize_t n = read_io(fd, buf, len);

	if (n > 0)
		mn_race_access(buf, (size_t)n, true, (uintptr_t)__builtin_return_address(0));
	return n;
}

ssize_t mn_write(int fd, const void *buf, size_t len)
{
	ssize_t n = write_io(fd, buf, len);

	if (n > 0)
		mn_race_access(buf, (size_t)n, false, (uintptr_t)__builtin_return_address(0));
	return n;
}

int mn_accept(int fd, struct sockaddr *sa, socklen_t *salen)
{
	struct pd *pd = pd_open(fd);
	int c, err;

	if (!pd)
		return (int)fail(EBADF);
	for (;;) {
		c = accept4(fd, sa, salen, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c >= 0)
			return c;
		err = last_errno();
		if (err == EINTR)
			continue;
		if (err != EAGAIN)
			return (int)fail(err);
		err = pd_wait(pd, 'r');
		if (err)
			return (int)fail(-err);
	}
}

int mn_connect(int fd, const struct sockaddr *sa, socklen_t salen)
{
	struct pd *pd = pd_open(fd);
	int err, soerr = 0;
	socklen_t l = sizeof(soerr);

	if (!pd)
		return (int)fail(EBADF);
	if (connect(fd, sa, salen) == 0)
		return 0;
	if (last_errno() != EINPROGRESS)
		return (int)fail(last_errno());
	for (;;) {
		err = pd_wait(pd, 'w');
		if (err)
			return (int)fail(-err);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &l) < 0)
			return (int)fail(last_errno());
		if (soerr == 0) {
			/* writable and no error: connected (or spurious edge) */
			struct sockaddr_storage ss;
			socklen_t sl = sizeof(ss);

			if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0)
				return 0;
			continue;
		}
		return (int)fail(soerr);
	}
}

void mn_set_deadline(int fd, int64_t read_deadline, int64_t write_deadline)
{
	struct pd *pd = pd_open(fd);

	if (!pd)
		return;
	mn_lk_lock(&pd->lock);
	pd->rdl = read_deadline;
	pd->wdl = write_deadline;
	mn_lk_unlock(&pd->lock);
}

int mn_close(int fd)
{
	struct pd *pd = (fd >= 0 && fd < PD_MAX && pds) ? atomic_load(&pds[fd]) : NULL;
	struct mn_g *list = NULL, *g;

	if (pd) {
		mn_lk_lock(&pd->lock);
		mn_race_rt_acquire(pd);	/* a poller's pd_rehome */
		if (pd->registered && !pd->nopoll &&
		    epoll_ctl(mn_sched.allp[pd->home].epfd, EPOLL_CTL_DEL, fd, NULL) == 0)
			atomic_fetch_sub_explicit(&mn_sched.allp[pd->home].nhomed, 1,
						  memory_order_relaxed);
		pd->closing = true;
		g = pd_fire(pd, 'r', WAKE_CLOSED);
		if (g) {
			g->schedlink = list;
			list = g;
		}
		g = pd_fire(pd, 'w', WAKE_CLOSED);
		if (g) {
			g->schedlink = list;
			list = g;
		}
		/* The number may be reused by the next open(): start afresh. */
		pd->rready = pd->wready = false;
		pd->rdl = pd->wdl = 0;
		__atomic_store_n(&pd->registered, false, __ATOMIC_RELEASE);
		mn_lk_unlock(&pd->lock);
		for (g = list; g; g = g->schedlink)
			atomic_store(&g->status, G_RUNNABLE);
		mn_injectglist(list);
	}
	return close(fd);
}
