// SPDX-License-Identifier: GPL-2.0-only
/*
 * coldconn: what the kernel alone charges for echo_1000's requests, with
 * no runtime in the way.  One thread on one CPU opens 1000 loopback TCP
 * connections as echo_1000 does (TCP_NODELAY both ends) and makes ten
 * rounds of one 64-byte request and reply on each, with blocking calls,
 * in each of two orders:
 *
 *  - breadth first: every client writes, then every server reads and
 *    writes back, then every client reads.  That is how both runtimes
 *    run echo_1000's first round, 1% of its samples and a part of its
 *    p99 (docs/libmn.md, Performance).
 *  - depth first: one connection's request and reply back to back, then
 *    the next connection's.
 *
 * Prints the microseconds per request of the first round (fresh
 * connections) and the median of the nine after it, for each order,
 * and the TCP segments the network namespace sent per request in each
 * (OutSegs of /proc/net/snmp: 4 in the first round, where both ends
 * still acknowledge each segment at once, TCP's quick-ack mode of a new
 * connection; 2 later, the replies carrying the acknowledgements).
 * The kernel's answer, timed by CLOCK_MONOTONIC: nothing of libmn or Go
 * is linked in.  run.sh prints it beside the side-by-side table.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CONNS 1000
#define ROUNDS 10
#define MSG 64

static int cli[CONNS], srv[CONNS];

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* Tcp: OutSegs of /proc/net/snmp (the column found by its name). */
static long out_segs(void)
{
	char names[2048], vals[2048], *n, *v, *sn, *sv;
	FILE *f = fopen("/proc/net/snmp", "r");
	long segs = -1;

	if (!f)
		die("coldconn: /proc/net/snmp");
	while (fgets(names, sizeof(names), f)) {
		if (strncmp(names, "Tcp:", 4))
			continue;
		if (!fgets(vals, sizeof(vals), f))
			break;
		n = strtok_r(names, " \n", &sn);
		v = strtok_r(vals, " \n", &sv);
		for (; n && v; n = strtok_r(NULL, " \n", &sn), v = strtok_r(NULL, " \n", &sv))
			if (!strcmp(n, "OutSegs"))
				segs = atol(v);
		break;
	}
	fclose(f);
	if (segs < 0) {
		fprintf(stderr, "coldconn: no Tcp OutSegs in /proc/net/snmp\n");
		exit(1);
	}
	return segs;
}

static void xfer(int fd, char *buf, int wr)
{
	ssize_t n = wr ? write(fd, buf, MSG) : read(fd, buf, MSG);

	if (n != MSG) {
		fprintf(stderr, "coldconn: short %s on fd %d: %zd\n", wr ? "write" : "read", fd, n);
		exit(1);
	}
}

/* Two thousand fds and the listener: raise the soft limit if it is lower. */
static void enough_fds(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		die("coldconn: getrlimit");
	if (rl.rlim_cur >= 2 * CONNS + 16)
		return;
	if (rl.rlim_max < 2 * CONNS + 16) {
		fprintf(stderr, "coldconn: needs %d fds, the hard limit is %llu\n",
			2 * CONNS + 16, (unsigned long long)rl.rlim_max);
		exit(1);
	}
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("coldconn: setrlimit");
}

static void open_conns(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	/* RST on close: no TIME_WAIT left behind to exhaust local ports */
	struct linger lg = { 1, 0 };
	int one = 1, lfd = socket(AF_INET, SOCK_STREAM, 0);

	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 4096) ||
	    getsockname(lfd, (struct sockaddr *)&sa, &sl))
		die("coldconn: listen");
	for (int i = 0; i < CONNS; i++) {
		cli[i] = socket(AF_INET, SOCK_STREAM, 0);
		if (cli[i] < 0 || connect(cli[i], (struct sockaddr *)&sa, sizeof(sa)))
			die("coldconn: connect");
		srv[i] = accept(lfd, NULL, NULL);
		if (srv[i] < 0)
			die("coldconn: accept");
		setsockopt(cli[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		setsockopt(srv[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		setsockopt(cli[i], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	close(lfd);
}

static void close_conns(void)
{
	for (int i = 0; i < CONNS; i++) {
		close(cli[i]);
		close(srv[i]);
	}
}

static double round_breadth(char *buf)
{
	double t = now_us();

	for (int i = 0; i < CONNS; i++)
		xfer(cli[i], buf, 1);
	for (int i = 0; i < CONNS; i++) {
		xfer(srv[i], buf, 0);
		xfer(srv[i], buf, 1);
	}
	for (int i = 0; i < CONNS; i++)
		xfer(cli[i], buf, 0);
	return (now_us() - t) / CONNS;
}

static double round_depth(char *buf)
{
	double t = now_us();

	for (int i = 0; i < CONNS; i++) {
		xfer(cli[i], buf, 1);
		xfer(srv[i], buf, 0);
		xfer(srv[i], buf, 1);
		xfer(cli[i], buf, 0);
	}
	return (now_us() - t) / CONNS;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Fresh connections, ROUNDS rounds in @order; first round and median of the rest. */
static void measure(const char *name, double (*order)(char *))
{
	double us[ROUNDS], segs[ROUNDS];
	char buf[MSG] = "ping";
	long before;

	open_conns();
	for (int r = 0; r < ROUNDS; r++) {
		before = out_segs();
		us[r] = order(buf);
		segs[r] = (double)(out_segs() - before) / CONNS;
	}
	close_conns();
	qsort(us + 1, ROUNDS - 1, sizeof(us[0]), cmp_double);
	qsort(segs + 1, ROUNDS - 1, sizeof(segs[0]), cmp_double);
	printf(" %s first %.1f later %.1f (%.2fx), TCP segments %.1f and %.1f", name, us[0],
	       us[ROUNDS / 2], us[0] / us[ROUNDS / 2], segs[0], segs[ROUNDS / 2]);
}

int main(void)
{
	cpu_set_t cpus;

	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus))
		die("coldconn: sched_setaffinity");
	enough_fds();
	printf("kernel alone (coldconn): us per request on %d loopback connections, one CPU:",
	       CONNS);
	measure("breadth-first", round_breadth);
	printf(";");
	measure("depth-first", round_depth);
	printf("\n");
	return 0;
}
