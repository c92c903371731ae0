// SPDX-License-Identifier: GPL-2.0-only
/*
 * The network poller: every fd used with mn_read/mn_write/mn_accept/
 * mn_connect is made non-blocking and registered once, edge-triggered,
 * with the epoll instance that sysmon waits on (sysmon.c).  A task that
 * gets EAGAIN parks on the fd's descriptor; the event (or its deadline
 * timer) readies it.  Like Go's pollDesc, a readiness edge that arrives
 * with nobody waiting is remembered in rready/wready.
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
#include <unistd.h>

#include "internal.h"
#include "race.h"

#define PD_MAX 1048576

struct pd {
	uint32_t lock;
	bool registered, nopoll, closing;
	bool rready, wready;
	struct mn_g *rg, *wg;
	uint64_t rtoken, wtoken;
	int64_t rdl, wdl;
};

static struct pd *_Atomic *pds;
static uint32_t pds_lock;

void mn_netpoll_init(void)
{
	pds = calloc(PD_MAX, sizeof(*pds));
	if (!pds)
		mn_fatal("out of memory for the netpoller");
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
		atomic_store(&pds[fd], pd);
	}
	mn_lk_unlock(&pds_lock);
	return pd;
}

/* Register fd once (non-blocking, edge-triggered). */
static struct pd *pd_open(int fd)
{
	struct pd *pd;
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET };
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
		pd->closing = false;
		pd->rready = pd->wready = false;
		if (epoll_ctl(mn_sched.epfd, EPOLL_CTL_ADD, fd, &ev) < 0 && errno != EEXIST) {
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
	atomic_fetch_add(&mn_sched.nnetwait, 1);
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

int mn_netpoll_events(struct epoll_event *ev, int n)
{
	struct mn_g *list = NULL, *g;
	int readied = 0;

	for (int i = 0; i < n; i++) {
		struct pd *pd;

		if (!ev[i].events || ev[i].data.fd < 0 || ev[i].data.fd >= PD_MAX)
			continue;
		pd = atomic_load(&pds[ev[i].data.fd]);
		if (!pd)
			continue;
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
	}
	for (g = list; g; g = g->schedlink) {
		MN_PROBE1(task_unblock, g->id);
		atomic_store(&g->status, G_RUNNABLE);
		readied++;
	}
	mn_injectglist(list);
	return readied;
}

/*
 * Deliver the events ready now, without blocking: findrunnable's look at
 * the network before it steals or sleeps (Go's netpoll(0)).  Returns the
 * number of tasks readied.  Any thread; no lock held.  sysmon's eventfd
 * may come back too (level-triggered, until sysmon reads it): it has no
 * pd, so it readies nobody and is not counted.
 */
int mn_netpoll_nonblock(void)
{
	struct epoll_event evs[64];
	int n = epoll_wait(mn_sched.epfd, evs, 64, 0);

	return n > 0 ? mn_netpoll_events(evs, n) : 0;
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

static ssize_t blocking_io(int fd, void *buf, size_t len, bool wr)
{
	ssize_t n;

	mn_syscall_enter();
	n = wr ? write(fd, buf, len) : read(fd, buf, len);
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
		n = read(fd, buf, len);
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
		n = write(fd, (const char *)buf + done, len - done);
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

/* The bytes moved count as the caller's accesses at its line (race.h),
 * after the read/write interposer's own record at libmn's. */
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
		if (pd->registered && !pd->nopoll)
			epoll_ctl(mn_sched.epfd, EPOLL_CTL_DEL, fd, NULL);
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
