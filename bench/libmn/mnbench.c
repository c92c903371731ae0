// SPDX-License-Identifier: GPL-2.0-only
/*
 * libmn side of bench/libmn: the same workloads as go/main.go, one result
 * per line as "<name> <value> <unit>".  Run by bench/libmn/run.sh.
 */
#include <arpa/inet.h>
#include <stdatomic.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mn.h>

static int64_t n_ops = 1000000;

static void report(const char *name, double v, const char *unit)
{
	printf("%s %.2f %s\n", name, v, unit);
	fflush(stdout);
}

/* ---- spawn+join ---- */
static mn_waitgroup wg;

static void noop(void *a)
{
	mn_wg_done(&wg);
}

static void bench_spawn(void)
{
	int64_t t0 = mn_now();

	for (int64_t i = 0; i < n_ops; i++) {
		mn_wg_add(&wg, 1);
		mn_go(noop, NULL);
		mn_wg_wait(&wg);
	}
	report("spawn_join", (double)(mn_now() - t0) / n_ops, "ns/op");
}

/* ---- unbuffered ping-pong ---- */
static void ponger(void *a)
{
	mn_chan **c = a;
	int v;

	while (mn_chan_recv(c[0], &v))
		mn_chan_send(c[1], &v);
	mn_wg_done(&wg);
}

static void bench_pingpong(void)
{
	mn_chan *c[2] = { mn_chan_make(sizeof(int), 0), mn_chan_make(sizeof(int), 0) };
	int64_t t0;
	int v = 0;

	mn_wg_add(&wg, 1);
	mn_go(ponger, c);
	t0 = mn_now();
	for (int64_t i = 0; i < n_ops; i++) {
		mn_chan_send(c[0], &v);
		mn_chan_recv(c[1], &v);
	}
	report("pingpong_roundtrip", (double)(mn_now() - t0) / n_ops, "ns/op");
	mn_chan_close(c[0]);
	mn_wg_wait(&wg);
	mn_chan_free(c[0]);
	mn_chan_free(c[1]);
}

/* ---- yield ---- */
static void bench_yield(void)
{
	int64_t t0 = mn_now();

	for (int64_t i = 0; i < n_ops; i++)
		mn_yield();
	report("yield", (double)(mn_now() - t0) / n_ops, "ns/op");
}

/* ---- mutex ---- */
static mn_mutex mu;
static long shared;

static void bench_mutex(void)
{
	int64_t t0 = mn_now();

	for (int64_t i = 0; i < n_ops * 10; i++) {
		mn_mutex_lock(&mu);
		shared++;
		mn_mutex_unlock(&mu);
	}
	report("mutex_uncontended", (double)(mn_now() - t0) / (n_ops * 10), "ns/op");
}

static void contender(void *a)
{
	int64_t n = (int64_t)(intptr_t)a;

	for (int64_t i = 0; i < n; i++) {
		mn_mutex_lock(&mu);
		shared++;
		mn_mutex_unlock(&mu);
	}
	mn_wg_done(&wg);
}

static void bench_mutex4(void)
{
	int64_t total = n_ops * 4, t0 = mn_now();

	mn_wg_add(&wg, 4);
	for (int i = 0; i < 4; i++)
		mn_go(contender, (void *)(intptr_t)(total / 4));
	mn_wg_wait(&wg);
	report("mutex_contended4", (double)(mn_now() - t0) / total, "ns/op");
}

/* ---- skynet: 10-ary tree of 1M leaf tasks ---- */
struct sky {
	int64_t num, size;
	mn_chan *out;
};

static void skynet(void *a)
{
	struct sky *s = a;
	int64_t sum = 0, v;

	if (s->size == 1) {
		mn_chan_send(s->out, &s->num);
		free(s);
		return;
	}
	mn_chan *rc = mn_chan_make(sizeof(int64_t), 0);
	int64_t sub = s->size / 10;

	for (int i = 0; i < 10; i++) {
		struct sky *c = malloc(sizeof(*c));

		c->num = s->num + i * sub;
		c->size = sub;
		c->out = rc;
		mn_go(skynet, c);
	}
	for (int i = 0; i < 10; i++) {
		mn_chan_recv(rc, &v);
		sum += v;
	}
	mn_chan_free(rc);
	mn_chan_send(s->out, &sum);
	free(s);
}

static void bench_skynet(void)
{
	mn_chan *out = mn_chan_make(sizeof(int64_t), 0);
	struct sky *s = malloc(sizeof(*s));
	int64_t sum = 0, t0 = mn_now();

	s->num = 0;
	s->size = 1000000;
	s->out = out;
	mn_go(skynet, s);
	mn_chan_recv(out, &sum);
	if (sum != 499999500000LL)
		fprintf(stderr, "skynet: wrong sum %lld\n", (long long)sum);
	report("skynet_1M", (double)(mn_now() - t0) / 1e6, "ms");
	mn_chan_free(out);
}

/* ---- buffered channel: one producer, one consumer, capacity 128 ---- */
static void producer(void *a)
{
	mn_chan *c = a;

	for (int64_t i = 0; i < n_ops; i++)
		mn_chan_send(c, &i);
	mn_chan_close(c);
}

static void bench_chan_buffered(void)
{
	mn_chan *c = mn_chan_make(sizeof(int64_t), 128);
	int64_t v, sum = 0, t0 = mn_now();

	mn_go(producer, c);
	while (mn_chan_recv(c, &v))
		sum += v;
	if (sum != n_ops * (n_ops - 1) / 2)
		fprintf(stderr, "chan_buffered: wrong sum %lld\n", (long long)sum);
	report("chan_buffered", (double)(mn_now() - t0) / n_ops, "ns/op");
	mn_chan_free(c);
}

/* ---- select over 4 unbuffered channels, one sender on each ---- */
static void sel_sender(void *a)
{
	mn_chan *c = a;
	int64_t one = 1;

	for (int64_t i = 0; i < n_ops / 4; i++)
		mn_chan_send(c, &one);
}

static void bench_select4(void)
{
	mn_chan *c[4];
	struct mn_sel_case cs[4];
	int64_t v[4], sum = 0, n = n_ops / 4 * 4, t0;

	for (int i = 0; i < 4; i++) {
		c[i] = mn_chan_make(sizeof(int64_t), 0);
		cs[i] = (struct mn_sel_case){ .chan = c[i], .dir = MN_SEL_RECV, .elem = &v[i] };
	}
	t0 = mn_now();
	for (int i = 0; i < 4; i++)
		mn_go(sel_sender, c[i]);
	for (int64_t i = 0; i < n; i++)
		sum += v[mn_select(cs, 4, MN_FOREVER)];
	if (sum != n)
		fprintf(stderr, "select4: wrong sum %lld\n", (long long)sum);
	report("select4", (double)(mn_now() - t0) / n, "ns/op");
	for (int i = 0; i < 4; i++)
		mn_chan_free(c[i]);
}

/* ---- timers: 10k tasks, each sleeping 1 ms TIMER_ROUNDS times ---- */
#define TIMER_TASKS 10000
#define TIMER_ROUNDS 50

static void sleeper(void *a)
{
	for (int i = 0; i < TIMER_ROUNDS; i++)
		mn_sleep(1000000);
	mn_wg_done(&wg);
}

/* Wall time per sleep: 10k sleepers of 1 ms need 10 wakeups per us, more
 * than 2 CPUs can do, so this is what one sleep-and-wake costs. */
static void bench_timers(void)
{
	int64_t t0 = mn_now();

	mn_wg_add(&wg, TIMER_TASKS);
	for (int i = 0; i < TIMER_TASKS; i++)
		mn_go(sleeper, NULL);
	mn_wg_wait(&wg);
	report("timers_10k", (double)(mn_now() - t0) / (TIMER_TASKS * TIMER_ROUNDS), "ns/op");
}

/* ---- access-heavy: tasks sweeping private arrays, reading a shared table ---- */
#define ACC_TASKS 64
#define ACC_WORDS 4096
#define ACC_ROUNDS 200

static uint32_t acc_table[256];	/* written before the tasks start: shared reads */
static uint32_t acc_sink[ACC_TASKS];

/*
 * Every element is read and written, and the shared table read at an
 * index carried from the element before (no vectorising): three
 * accesses per element, almost all of them to memory only this task
 * touches.  It yields after every sweep, so the tasks take turns on
 * the threads.
 */
static void accessor(void *a)
{
	uintptr_t id = (uintptr_t)a;
	uint32_t *v = malloc(ACC_WORDS * sizeof(*v)), acc = (uint32_t)id;

	for (int i = 0; i < ACC_WORDS; i++)
		v[i] = (uint32_t)i;
	for (int r = 0; r < ACC_ROUNDS; r++) {
		for (int i = 0; i < ACC_WORDS; i++)
			acc = v[i] = v[i] * 3 + acc_table[(acc + (uint32_t)i) & 255];
		mn_yield();
	}
	acc_sink[id] = acc;
	free(v);
	mn_wg_done(&wg);
}

static void bench_access(void)
{
	int64_t t0;

	for (int i = 0; i < 256; i++)
		acc_table[i] = (uint32_t)i * 2654435761u;
	t0 = mn_now();
	mn_wg_add(&wg, ACC_TASKS);
	for (uintptr_t i = 0; i < ACC_TASKS; i++)
		mn_go(accessor, (void *)i);
	mn_wg_wait(&wg);
	report("access_heavy", (double)(mn_now() - t0) /
	       ((double)ACC_TASKS * ACC_WORDS * ACC_ROUNDS), "ns/op");
}

/* ---- loopback echo: 1000 clients, 64-byte requests, one task per conn ---- */
#define ECHO_CLIENTS 1000
#define ECHO_REQS 100
#define ECHO_MSG 64

static int echo_port;
static mn_waitgroup echo_ready;
static mn_chan *echo_start;
static int64_t *echo_lat;

static bool read_full(int fd, char *buf, size_t len)
{
	for (size_t got = 0; got < len;) {
		ssize_t n = mn_read(fd, buf + got, len - got);

		if (n <= 0)
			return false;
		got += (size_t)n;
	}
	return true;
}

static void set_nodelay(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static void echo_conn(void *a)
{
	int fd = (int)(intptr_t)a;
	char buf[ECHO_MSG];

	mn_wg_done(&echo_ready);
	while (read_full(fd, buf, sizeof(buf)) && mn_write(fd, buf, sizeof(buf)) == sizeof(buf))
		;
	mn_close(fd);
}

static void echo_accept(void *a)
{
	int lfd = (int)(intptr_t)a, fd;

	while ((fd = mn_accept(lfd, NULL, NULL)) >= 0) {
		set_nodelay(fd);
		mn_go(echo_conn, (void *)(intptr_t)fd);
	}
}

static void echo_client(void *a)
{
	int64_t *lat = a;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(echo_port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	/* RST on close: no TIME_WAIT left behind to exhaust local ports */
	struct linger lg = { 1, 0 };
	char buf[ECHO_MSG] = "ping";
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || mn_connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("echo: connect");
		exit(1);
	}
	set_nodelay(fd);
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	mn_wg_done(&echo_ready);
	mn_chan_recv(echo_start, NULL);
	for (int i = 0; i < ECHO_REQS; i++) {
		int64_t t = mn_now();

		if (mn_write(fd, buf, sizeof(buf)) != sizeof(buf) || !read_full(fd, buf, sizeof(buf))) {
			fprintf(stderr, "echo: request failed\n");
			exit(1);
		}
		lat[i] = mn_now() - t;
	}
	mn_close(fd);
	mn_wg_done(&wg);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int64_t pct(const int64_t *sorted, size_t n, int per_mille)
{
	return sorted[n * (size_t)per_mille / 1000];
}

/* On a quiet host the p99 of all requests is set mostly by the first
 * rounds: every client makes its first request at once with the
 * others, so that round runs breadth first on fresh connections, which
 * the kernel alone charges more for (coldconn.c), and the rounds after
 * it are slower until each pair shares a CPU (docs/libmn.md).  To tell
 * the first requests from the rest, print both (stderr: run.sh keeps
 * stdout only). */
static void echo_detail(const int64_t *lat, size_t n)
{
	int64_t *first = malloc(ECHO_CLIENTS * sizeof(*first));
	int64_t *later = malloc(n * sizeof(*later));
	size_t nf = 0, nl = 0;

	if (!first || !later) {
		free(first);
		free(later);
		return;
	}
	for (size_t k = 0; k < n; k++) {
		if (k % ECHO_REQS == 0)
			first[nf++] = lat[k];
		else
			later[nl++] = lat[k];
	}
	qsort(first, nf, sizeof(*first), cmp_i64);
	qsort(later, nl, sizeof(*later), cmp_i64);
	fprintf(stderr, "echo_1000 us: first requests p50 %.0f p99 %.0f; later p50 %.0f p90 %.0f p99 %.0f\n",
		pct(first, nf, 500) / 1e3, pct(first, nf, 990) / 1e3, pct(later, nl, 500) / 1e3,
		pct(later, nl, 900) / 1e3, pct(later, nl, 990) / 1e3);
	free(first);
	free(later);
}

static void bench_echo(void)
{
	const size_t n = (size_t)ECHO_CLIENTS * ECHO_REQS;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	int64_t t0;

	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 4096) ||
	    getsockname(lfd, (struct sockaddr *)&sa, &sl)) {
		perror("echo: listen");
		exit(1);
	}
	echo_port = ntohs(sa.sin_port);
	echo_lat = calloc(n, sizeof(*echo_lat));
	echo_start = mn_chan_make(0, 0);
	mn_go(echo_accept, (void *)(intptr_t)lfd);
	/* The clock starts once every connection is set up at both ends:
	 * each client connected, each accepted and its server task running.
	 * Else the first requests' latency has some of the accepts in it. */
	mn_wg_add(&echo_ready, 2 * ECHO_CLIENTS);
	mn_wg_add(&wg, ECHO_CLIENTS);
	for (int i = 0; i < ECHO_CLIENTS; i++)
		mn_go(echo_client, echo_lat + (size_t)i * ECHO_REQS);
	mn_wg_wait(&echo_ready);
	t0 = mn_now();
	mn_chan_close(echo_start);
	mn_wg_wait(&wg);
	report("echo_1000_rps", (double)n * 1e9 / (double)(mn_now() - t0), "req/s");
	echo_detail(echo_lat, n);
	qsort(echo_lat, n, sizeof(*echo_lat), cmp_i64);
	report("echo_1000_p99", (double)pct(echo_lat, n, 990) / 1e3, "us");
	mn_close(lfd);	/* ends echo_accept */
	mn_chan_free(echo_start);
	free(echo_lat);
}

/* ---- memory per parked task ---- */
static long rss_kb(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static _Atomic long parked_n;

static void parked(void *a)
{
	atomic_fetch_add(&parked_n, 1);
	mn_chan_recv(a, NULL);
	mn_wg_done(&wg);
}

static void bench_parked_mem(void)
{
	const int n = 100000;
	mn_chan *c = mn_chan_make(0, 0);
	long before = rss_kb(), after;

	mn_wg_add(&wg, n);
	for (int i = 0; i < n; i++)
		mn_go(parked, c);
	/* every task has run up to its receive (a fixed sleep was not
	 * enough once the sleeping main task woke on time), then parks */
	while (atomic_load(&parked_n) < n)
		mn_sleep(1000000);
	mn_sleep(10000000);
	after = rss_kb();
	report("parked_task_mem", (double)(after - before) * 1024 / n, "bytes");
	mn_chan_close(c);
	mn_wg_wait(&wg);
	mn_chan_free(c);
}

static int bench_main(void *a)
{
	const char *only = a;

#define RUN(name, fn) if (!only || !strcmp(only, name)) fn()
	RUN("spawn_join", bench_spawn);
	RUN("pingpong_roundtrip", bench_pingpong);
	RUN("yield", bench_yield);
	RUN("mutex_uncontended", bench_mutex);
	RUN("mutex_contended4", bench_mutex4);
	RUN("skynet_1M", bench_skynet);
	RUN("chan_buffered", bench_chan_buffered);
	RUN("select4", bench_select4);
	RUN("timers_10k", bench_timers);
	RUN("echo_1000", bench_echo);
	RUN("access_heavy", bench_access);
	RUN("parked_task_mem", bench_parked_mem);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: %s [workload]\nRuns the libmn side of bench/libmn (see run.sh).\n", argv[0]);
		return 0;
	}
	if (getenv("MNBENCH_OPS"))
		n_ops = atoll(getenv("MNBENCH_OPS"));
	return mn_main(bench_main, argc > 1 ? argv[1] : NULL);
}
