// SPDX-License-Identifier: GPL-2.0-only
/* libmn netpoller (echo server, deadlines) and contexts. */
#include <netinet/in.h>
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
