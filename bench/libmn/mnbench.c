// SPDX-License-Identifier: GPL-2.0-only
/*
 * libmn side of bench/libmn: the same workloads as go/main.go, one result
 * per line as "<name> <value> <unit>".  Run by bench/libmn/run.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static void parked(void *a)
{
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
	while ((long)mn_chan_len(c) == 0 && rss_kb() == before)
		mn_yield();
	/* let every task reach its receive */
	for (int i = 0; i < 100; i++)
		mn_sleep(1000000);
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
