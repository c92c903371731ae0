// SPDX-License-Identifier: GPL-2.0-only
/* libmn netpoller (echo server, deadlines) and contexts. */
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "kselftest_harness.h"
#include "mn_testlib.h"

#define NCLIENTS 1000

static mn_waitgroup wg;
static int port;
static atomic_int echoed;

static void serve_conn(void *a)
{
	int fd = (int)(intptr_t)a;
	char buf[256];
	ssize_t n;

	while ((n = mn_read(fd, buf, sizeof(buf))) > 0)
		if (mn_write(fd, buf, (size_t)n) != n)
			break;
	mn_close(fd);
}

static void server(void *a)
{
	int lfd = (int)(intptr_t)a, c;

	while ((c = mn_accept(lfd, NULL, NULL)) >= 0)
		mn_go(serve_conn, (void *)(intptr_t)c);
}

static void client(void *a)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	char msg[64], back[64];
	int len = snprintf(msg, sizeof(msg), "hello from client %d", (int)(intptr_t)a);
	ssize_t got = 0, n;

	if (fd >= 0 && mn_connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    mn_write(fd, msg, (size_t)len) == len) {
		while (got < len && (n = mn_read(fd, back + got, (size_t)(len - got))) > 0)
			got += n;
		if (got == len && memcmp(msg, back, (size_t)len) == 0)
			atomic_fetch_add(&echoed, 1);
	}
	if (fd >= 0)
		mn_close(fd);
	mn_wg_done(&wg);
}

static int echo_main(void *a)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 4096) ||
	    getsockname(lfd, (struct sockaddr *)&sa, &sl))
		return -1;
	port = ntohs(sa.sin_port);
	mn_go(server, (void *)(intptr_t)lfd);
	mn_wg_add(&wg, NCLIENTS);
	for (int i = 0; i < NCLIENTS; i++)
		mn_go(client, (void *)(intptr_t)i);
	mn_wg_wait(&wg);
	return atomic_load(&echoed);
}

/* A loopback TCP echo server on the netpoller serves 1000 concurrent
 * clients (tasks using mn_connect/mn_write/mn_read), every echo intact. */
TEST(echo_server_1000_clients)
{
	struct rlimit rl = { 4096, 4096 };

	setrlimit(RLIMIT_NOFILE, &rl);
	ASSERT_EQ(NCLIENTS, mn_main(echo_main, NULL));
}

static atomic_int ticks;

static void ticker(void *a)
{
	for (int i = 0; i < 20; i++) {
		mn_sleep(1000000);
		atomic_fetch_add(&ticks, 1);
	}
	mn_wg_done(&wg);
}

static int deadline_main(void *a)
{
	int p[2], ok = 1;
	char c;
	int64_t t0;
	ssize_t n;

	if (pipe(p))
		return 0;
	mn_wg_add(&wg, 1);
	mn_go(ticker, NULL);
	/* netpoller read on an empty pipe: others run meanwhile; deadline ends it */
	t0 = mn_now();	/* before the deadline is computed from it */
	mn_set_deadline(p[0], t0 + 50000000, 0);
	n = mn_read(p[0], &c, 1);
	ok &= n == -ETIMEDOUT;
	ok &= mn_now() - t0 >= 50000000 && mn_now() - t0 < 1000000000;
	ok &= atomic_load(&ticks) > 5;
	mn_set_deadline(p[0], 0, 0);
	(void)!write(p[1], "z", 1);
	ok &= mn_read(p[0], &c, 1) == 1 && c == 'z';
	mn_wg_wait(&wg);
	mn_close(p[0]);
	close(p[1]);
	return ok;
}

/* mn_read parks the task (not the thread) and honours a deadline with -ETIMEDOUT. */
TEST(read_deadline)
{
	setenv("MN_PROCS", "1", 1);
	ASSERT_EQ(1, mn_main(deadline_main, NULL));
}

static int refused_main(void *a)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(1),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int r = mn_connect(fd, (struct sockaddr *)&sa, sizeof(sa));

	mn_close(fd);
	return r == -ECONNREFUSED;
}

/* mn_connect reports a refused connection as -ECONNREFUSED. */
TEST(connect_refused)
{
	ASSERT_EQ(1, mn_main(refused_main, NULL));
}

/* ---- steering: a socket's task runs on the CPU that got its packets ---- */

#define STEER_BLOCKS 6
#define STEER_BLOCK 16		/* writes per block, all from one CPU */
#define STEER_CHECKED 8		/* last wakes of a block checked: libmn
				 * re-reads SO_INCOMING_CPU every 8th event */

static int steer_cpus[2];
static atomic_int steer_stop;
static atomic_int steer_on[2];	/* pinners running on P 0 / P 1 */
static atomic_int steer_reading;	/* 1 + the P of the reader about to park, 0 */
static int steer_fd[2];		/* [0] read by the task, [1] written by the thread */
static sem_t steer_go;		/* the reader is parked: write */
static mn_waitgroup steer_done;
static int steer_ran[STEER_BLOCKS][STEER_BLOCK], steer_incpu[STEER_BLOCKS][STEER_BLOCK];

static void pin_self(int cpu)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	sched_setaffinity(0, sizeof(s), &s);
}

/* A connected loopback TCP pair, plain blocking fds: fd[0] the accepted
 * end, fd[1] the connecting one.  0, or -1. */
static int loopback_pair(int fd[2])
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 1) ||
	    getsockname(lfd, (struct sockaddr *)&sa, &sl))
		return -1;
	fd[1] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd[1] < 0 || connect(fd[1], (struct sockaddr *)&sa, sl))
		return -1;
	fd[0] = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	close(lfd);
	return fd[0] < 0 ? -1 : 0;
}

/*
 * Keeps its P busy (so it is running whenever an event comes, and never
 * steals) and that P's thread on steer_cpus[P id]: the CPU of each P is
 * then known to the test, whatever libmn's map says.  Also tells the
 * writer when the reader is parked: the reader announced it would read
 * from this P, and this P runs us, so the reader left it, which it can
 * do only by parking in mn_read.
 */
static void steer_pinner(void *a)
{
	int on = -1, now, want;

	while (!atomic_load(&steer_stop)) {
		now = mn_proc_id();
		if (now != on) {
			if (on >= 0)
				atomic_fetch_sub(&steer_on[on], 1);
			pin_self(steer_cpus[now]);
			atomic_fetch_add(&steer_on[now], 1);
			on = now;
		}
		want = now + 1;
		if (atomic_compare_exchange_strong(&steer_reading, &want, 0))
			sem_post(&steer_go);
		mn_yield();
	}
	mn_wg_done(&wg);
}

/* A plain thread, not the runtime's: writes each block from one CPU, so
 * the kernel processes the reader's packets there (loopback); each byte
 * once the reader waits for it, so that every read is a wakeup. */
static void *steer_writer(void *a)
{
	for (int b = 0; b < STEER_BLOCKS; b++) {
		pin_self(steer_cpus[b % 2]);
		for (int i = 0; i < STEER_BLOCK; i++) {
			while (sem_wait(&steer_go) && errno == EINTR)
				;
			(void)!write(steer_fd[1], "x", 1);
		}
	}
	return a;
}

/* Reads every byte, noting the CPU it runs on and the kernel's
 * SO_INCOMING_CPU of its socket. */
static void steer_reader(void *a)
{
	char c;

	for (int b = 0; b < STEER_BLOCKS; b++)
		for (int i = 0; i < STEER_BLOCK; i++) {
			socklen_t l = sizeof(int);

			atomic_store(&steer_reading, mn_proc_id() + 1);
			if (mn_read(steer_fd[0], &c, 1) != 1)
				return;
			steer_ran[b][i] = sched_getcpu();
			getsockopt(steer_fd[0], SOL_SOCKET, SO_INCOMING_CPU, &steer_incpu[b][i], &l);
		}
	mn_wg_done(&steer_done);
}

static int steer_main(void *a)
{
	pthread_t w;

	if (loopback_pair(steer_fd))
		return -1;
	sem_init(&steer_go, 0, 0);	/* before the pinners, which post it */
	mn_wg_add(&wg, 2);
	mn_go(steer_pinner, NULL);
	mn_go(steer_pinner, NULL);
	/* One pinner per P: the P with both gives one away to the other,
	 * which has nothing else to run. */
	while (atomic_load(&steer_on[0]) != 1 || atomic_load(&steer_on[1]) != 1)
		mn_sleep(1000000);
	mn_wg_add(&steer_done, 1);
	mn_go(steer_reader, NULL);
	pthread_create(&w, NULL, steer_writer, NULL);
	mn_wg_wait(&steer_done);
	mn_syscall_enter();
	pthread_join(w, NULL);	/* it has written its last byte */
	mn_syscall_exit();
	atomic_store(&steer_stop, 1);
	mn_wg_wait(&wg);
	mn_close(steer_fd[0]);
	close(steer_fd[1]);
	return 0;
}

/* A task woken by a socket's readiness runs on the CPU where the kernel
 * processed the socket's packets (SO_INCOMING_CPU): a plain thread writes
 * to the peer from one CPU, then from the other, block after block, and
 * the reading task follows it.  Oracles: the kernel's SO_INCOMING_CPU and
 * sched_getcpu() on threads the test pinned itself. */
TEST(wake_follows_packet_cpu)
{
	cpu_set_t set;
	int n = 0;

	ASSERT_EQ(0, sched_getaffinity(0, sizeof(set), &set));
	for (int c = 0; c < CPU_SETSIZE && n < 2; c++)
		if (CPU_ISSET(c, &set))
			steer_cpus[n++] = c;
	ASSERT_EQ(2, n) TH_LOG("needs 2 CPUs");
	setenv("MN_PROCS", "2", 1);
	/* A P whose thread runs no task for 2 ms is stale and its wakes go
	 * elsewhere, which a host stealing the packets' CPU for that long
	 * would cause here: this test is about steering to running Ps. */
	setenv("MN_NETPOLL_STALE_US", "0", 1);
	ASSERT_EQ(0, mn_main(steer_main, NULL));
	for (int b = 0; b < STEER_BLOCKS; b++)
		for (int i = STEER_BLOCK - STEER_CHECKED; i < STEER_BLOCK; i++) {
			/* the premise: loopback processes a write on its CPU */
			ASSERT_EQ(steer_cpus[b % 2], steer_incpu[b][i]) TH_LOG("block %d read %d", b, i);
			ASSERT_EQ(steer_incpu[b][i], steer_ran[b][i]) TH_LOG("block %d read %d", b, i);
		}
}

/* ---- a stuck P's network work runs elsewhere ---- */

static int stuck_fd[2];		/* [0] read by the reader task, [1] its peer */
static int stuck_pipe[2];	/* the stuck task waits here; the reader writes */
static int stuck_idle[2];	/* a task waits on [0] throughout: see stuck_main */
static atomic_int stuck_idling;	/* the idler is about to park */
static atomic_int stuck_tid;	/* the reader's thread, once it is about to read */
static atomic_int stuck_read;	/* bytes the reader got */
static int stuck_woke;		/* the stuck task's poll(): 1 woken by the reader */
static atomic_int stuck_parked;	/* the stuck task saw the reader's thread asleep */

/* Reads one byte from its socket, then lets the stuck task go. */
static void stuck_reader(void *a)
{
	char c;

	atomic_store(&stuck_tid, (int)gettid());
	atomic_store(&stuck_read, (int)mn_read(stuck_fd[0], &c, 1));
	(void)!write(stuck_pipe[1], "r", 1);
}

/* Parked on a pipe for the whole test, so that the Ps note the CPU they
 * run on each time they look for work (steering's map, netpoll.c). */
static void stuck_idler(void *a)
{
	char c;

	atomic_store(&stuck_idling, 1);
	(void)!mn_read(stuck_idle[0], &c, 1);
	mn_wg_done(&wg);
}

/* The state letter of thread @tid in /proc, or 0. */
static char thread_state(int tid)
{
	char path[64], buf[256], *s;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	s = strrchr(buf, ')');
	return s && s[1] == ' ' ? s[2] : 0;
}

/*
 * Takes the P it runs on for good, as a thread that the kernel or the
 * hypervisor has taken off the CPU does: its thread stays on the CPU it
 * found itself on and never returns to the scheduler, so the P stays
 * running and runs nothing else.  First it makes the reader's socket
 * this P's (its first use), starts the reader, which another P must
 * take, and waits until the reader's thread sleeps: the reader has
 * parked in mn_read and that P has nothing left to run.  Then it writes
 * the reader's byte from this CPU, so the kernel processes the packet
 * here and libmn's steering points at this P, and waits for the reader.
 */
static void stuck_holder(void *a)
{
	struct pollfd pfd = { .fd = stuck_pipe[0], .events = POLLIN };
	int cpu = sched_getcpu(), tid;
	char note;

	pin_self(cpu);
	if (mn_write(stuck_fd[0], "h", 1) != 1)
		goto out;
	mn_go(stuck_reader, NULL);
	/* Spin, keeping the CPU: the other P's thread runs elsewhere. */
	for (int64_t end = mn_now() + 10000000000LL; mn_now() < end;) {
		tid = atomic_load(&stuck_tid);
		if (tid && thread_state(tid) == 'S') {
			atomic_store(&stuck_parked, 1);
			break;
		}
	}
	if (!atomic_load(&stuck_parked))
		goto out;
	(void)!write(stuck_fd[1], "x", 1);
	stuck_woke = poll(&pfd, 1, 10000);
	/* Read the reader's note too: TSan orders its read(2) of the socket
	 * before mn_close's close(2) through this pipe, not through poll. */
	if (stuck_woke == 1)
		(void)!read(stuck_pipe[0], &note, 1);
out:
	mn_wg_done(&wg);
}

static int stuck_main(void *a)
{
	if (loopback_pair(stuck_fd) || pipe(stuck_pipe) || pipe(stuck_idle))
		return -1;
	mn_wg_add(&wg, 2);
	mn_go(stuck_idler, NULL);
	while (!atomic_load(&stuck_idling))
		mn_sleep(1000000);
	mn_sleep(1000000);
	mn_go(stuck_holder, NULL);
	while (!atomic_load(&stuck_read) && !atomic_load(&stuck_parked))
		mn_sleep(1000000);
	(void)!write(stuck_idle[1], "i", 1);
	mn_wg_wait(&wg);
	mn_close(stuck_fd[0]);
	close(stuck_fd[1]);
	return 0;
}

/* A task woken by a socket whose packets come in on the CPU of a P whose
 * thread is stuck outside the runtime runs on the other P, without
 * waiting for that thread: the stuck task is let go by the woken task
 * alone.  Oracles: /proc for the reader parked, poll(2) on a pipe that
 * only the reader writes, after its mn_read returned the byte. */
TEST(stuck_p_network_work_runs_elsewhere)
{
	cpu_set_t set;

	ASSERT_EQ(0, sched_getaffinity(0, sizeof(set), &set));
	ASSERT_LE(2, CPU_COUNT(&set)) TH_LOG("needs 2 CPUs");
	setenv("MN_PROCS", "2", 1);
	ASSERT_EQ(0, mn_main(stuck_main, NULL));
	ASSERT_EQ(1, atomic_load(&stuck_parked)) TH_LOG("the reader never parked");
	ASSERT_EQ(1, atomic_load(&stuck_read));
	ASSERT_EQ(1, stuck_woke) TH_LOG("the reader did not run while its P's thread was stuck");
}

/* ---- contexts ---- */

static const int key1 = 1, key2 = 2;

static void wait_done(void *a)
{
	mn_ctx *c = a;

	mn_chan_recv(mn_ctx_done(c), NULL);
	mn_wg_done(&wg);
}

static int ctx_main(void *a)
{
	mn_ctx *bg = mn_ctx_background();
	mn_ctx *p = mn_ctx_with_cancel(bg);
	mn_ctx *v = mn_ctx_with_value(p, &key1, "one");
	mn_ctx *c1 = mn_ctx_with_cancel(v);
	mn_ctx *c2 = mn_ctx_with_cancel(c1);
	mn_ctx *sib = mn_ctx_with_cancel(p);
	int ok = 1;

	ok &= mn_ctx_done(bg) == NULL && mn_ctx_err(bg) == MN_CTX_OK;
	ok &= strcmp(mn_ctx_value(c2, &key1), "one") == 0 && mn_ctx_value(c2, &key2) == NULL;
	/* cancelling a child leaves parent and sibling alone */
	mn_ctx_cancel(sib);
	ok &= mn_ctx_err(sib) == MN_CTX_CANCELED && mn_ctx_err(p) == MN_CTX_OK;
	/* cancelling the parent reaches grandchildren through a value node */
	mn_wg_add(&wg, 2);
	mn_go(wait_done, c2);
	mn_go(wait_done, c1);
	mn_sleep(5000000);
	mn_ctx_cancel(p);
	mn_wg_wait(&wg);
	ok &= mn_ctx_err(c2) == MN_CTX_CANCELED && mn_ctx_err(v) == MN_CTX_CANCELED;
	ok &= strcmp(mn_ctx_errstr(mn_ctx_err(c1)), "context canceled") == 0;
	/* a child of a cancelled context starts cancelled */
	mn_ctx *late = mn_ctx_with_cancel(c2);
	ok &= mn_ctx_err(late) == MN_CTX_CANCELED;
	mn_ctx_cancel(late);
	mn_ctx_cancel(c2);
	mn_ctx_cancel(c1);
	mn_ctx_release(late);
	mn_ctx_release(c2);
	mn_ctx_release(c1);
	mn_ctx_release(v);
	mn_ctx_release(sib);
	mn_ctx_release(p);
	return ok;
}

/* Cancel propagates to children and grandchildren (also through a value
 * context), not to parents or siblings; values are looked up the chain. */
TEST(ctx_cancel_propagation)
{
	ASSERT_EQ(1, mn_main(ctx_main, NULL));
}

static int deadline_ctx_main(void *a)
{
	int64_t t0 = mn_now();
	mn_ctx *outer = mn_ctx_with_timeout(mn_ctx_background(), 30000000);
	mn_ctx *inner = mn_ctx_with_timeout(outer, 10000000000LL);	/* later: inherits outer */
	mn_chan *slow = mn_chan_make(sizeof(int), 0);
	int v, ok = 1;
	int64_t d1 = 0, d2 = 0;
	struct mn_sel_case cs[2] = { { slow, MN_SEL_RECV, &v, false },
				     { mn_ctx_done(inner), MN_SEL_RECV, NULL, false } };

	ok &= mn_ctx_deadline(outer, &d1) && mn_ctx_deadline(inner, &d2) && d1 == d2;
	ok &= mn_select(cs, 2, MN_FOREVER) == 1;	/* done channel in select */
	ok &= mn_now() - t0 >= 30000000 && mn_now() - t0 < 1000000000;
	ok &= mn_ctx_err(inner) == MN_CTX_DEADLINE_EXCEEDED;
	ok &= strcmp(mn_ctx_errstr(mn_ctx_err(outer)), "context deadline exceeded") == 0;
	mn_ctx_cancel(inner);
	ok &= mn_ctx_err(inner) == MN_CTX_DEADLINE_EXCEEDED;	/* first error stays */
	mn_ctx_cancel(outer);
	mn_ctx_release(inner);
	mn_ctx_release(outer);
	mn_chan_free(slow);
	return ok;
}

/* with_timeout: the done channel fires in select at the deadline, err is
 * "deadline exceeded"; a child never outlives its parent's deadline. */
TEST(ctx_deadline_in_select)
{
	ASSERT_EQ(1, mn_main(deadline_ctx_main, NULL));
}

static int many_ctx_main(void *a)
{
	mn_ctx *root = mn_ctx_with_cancel(mn_ctx_background());
	int n0, ok;

	mn_sleep(20000000);	/* let the runtime's own threads settle */
	n0 = mnt_nthreads();

	for (int i = 0; i < 10000; i++) {
		mn_ctx *c = mn_ctx_with_timeout(root, 60000000000LL);

		mn_ctx_cancel(c);	/* removes it from root and its timer */
		mn_ctx_release(c);
	}
	/* no helper thread or task per context: nothing new is running */
	ok = mnt_nthreads() == n0 && mn_report_leaks(-1) == 1;	/* only root */
	mn_ctx_cancel(root);
	mn_ctx_release(root);
	return ok && mn_report_leaks(-1) == 0;
}

/* 10000 cancelled timeout contexts leave nothing behind: no thread, no
 * leak entry; only a context whose cancel was not called is reported. */
TEST(ctx_cancel_releases)
{
	ASSERT_EQ(1, mn_main(many_ctx_main, NULL));
}

TEST_HARNESS_MAIN
