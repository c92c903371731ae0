// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of user/nstaint/agent/httpd: requests made by Python's http.client
 * (selftests/lib/httpget.py), the page read back by the Prometheus
 * client's parser, and the listen address parser.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "../../user/nstaint/agent/httpd.h"

struct state {
	atomic_int healthy, ready, fail, scrapes;
};

static int metrics(struct promtext *p, void *arg)
{
	struct state *s = arg;
	int n = atomic_fetch_add(&s->scrapes, 1) + 1;

	if (atomic_load(&s->fail))
		return -EIO;
	promtext_family(p, "nstaint_test_scrapes_total", PROM_COUNTER, "Scrapes so far.");
	promtext_sample_u64(p, "nstaint_test_scrapes_total", NULL, 0, n);
	return 0;
}

static bool healthy(void *arg)
{
	return atomic_load(&((struct state *)arg)->healthy);
}

static bool ready(void *arg)
{
	return atomic_load(&((struct state *)arg)->ready);
}

/* One request through httpget.py; its whole output into @out. */
static int get(int port, const char *method, const char *path, char *out, size_t sz)
{
	char cmd[256];
	size_t n;
	FILE *f;

	snprintf(cmd, sizeof(cmd),
		 "/usr/bin/python3 selftests/lib/httpget.py %s http://127.0.0.1:%d%s 2>&1",
		 method, port, path);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	n = fread(out, 1, sz - 1, f);
	out[n] = '\0';
	return pclose(f);
}

FIXTURE(http) {
	struct state s;
	struct httpd *d;
	int port;
	char out[4096];
};

FIXTURE_SETUP(http)
{
	struct httpd_handlers h = { metrics, healthy, ready, &self->s };
	char err[256];

	memset(&self->s, 0, sizeof(self->s));
	atomic_store(&self->s.healthy, 1);
	self->d = httpd_start("127.0.0.1:0", &h, err, sizeof(err));
	ASSERT_NE(NULL, self->d) TH_LOG("%s", err);
	self->port = httpd_port(self->d);
	ASSERT_LT(0, self->port);
}

FIXTURE_TEARDOWN(http)
{
	httpd_stop(self->d);
}

/* The body of httpget.py's output @out, parsed by promparse.py. */
static int parse_body(const char *out, char *parsed, size_t sz)
{
	char path[] = "/tmp/httpd_test.XXXXXX", cmd[128];
	const char *body = strstr(out, "allow -\n");
	size_t n;
	FILE *f;
	int fd;

	if (!body)
		return -1;
	body += strlen("allow -\n");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	if (write(fd, body, strlen(body)) != (ssize_t)strlen(body)) {
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 selftests/lib/promparse.py <%s", path);
	f = popen(cmd, "r");
	if (!f) {
		unlink(path);
		return -1;
	}
	n = fread(parsed, 1, sz - 1, f);
	parsed[n] = '\0';
	unlink(path);
	return pclose(f);
}

#define HEAD_200 "status 200\ncontent-type text/plain; version=0.0.4; charset=utf-8\nallow -\n"

/* /metrics: 200, the exposition format's Content-Type, a page the
 * Prometheus client parses, written afresh for every scrape. */
TEST_F(http, metrics_page)
{
	char parsed[512];

	ASSERT_EQ(0, get(self->port, "GET", "/metrics", self->out, sizeof(self->out)));
	EXPECT_EQ(0, strncmp(self->out, HEAD_200, strlen(HEAD_200))) TH_LOG("%s", self->out);
	ASSERT_EQ(0, get(self->port, "GET", "/metrics", self->out, sizeof(self->out)));
	ASSERT_EQ(0, parse_body(self->out, parsed, sizeof(parsed)));
	EXPECT_STREQ("family nstaint_test_scrapes counter \"Scrapes so far.\"\n"
		     "sample nstaint_test_scrapes_total {} 2.0\n", parsed);
}

/* /healthz and /readyz follow their callbacks: 503 until ready, 503 when
 * the main loop stalls, 200 otherwise. */
TEST_F(http, probes)
{
	ASSERT_EQ(0, get(self->port, "GET", "/readyz", self->out, sizeof(self->out)));
	EXPECT_EQ(0, strncmp(self->out, "status 503\n", 11));
	EXPECT_NE(NULL, strstr(self->out, "\nnot ready\n"));
	atomic_store(&self->s.ready, 1);
	ASSERT_EQ(0, get(self->port, "GET", "/readyz", self->out, sizeof(self->out)));
	EXPECT_EQ(0, strncmp(self->out, "status 200\n", 11));
	ASSERT_EQ(0, get(self->port, "GET", "/healthz", self->out, sizeof(self->out)));
	EXPECT_EQ(0, strncmp(self->out, "status 200\n", 11));
	atomic_store(&self->s.healthy, 0);
	ASSERT_EQ(0, get(self->port, "GET", "/healthz", self->out, sizeof(self->out)));
	EXPECT_EQ(0, strncmp(self->out, "status 503\n", 11));
	EXPECT_NE(NULL, strstr(self->out, "\nmain loop stalled\n"));
}

/* Other methods get 405 with Allow, other paths 404, HEAD no body; a
 * metrics callback that fails gives 500, never half a page. */
TEST_F(http, errors)
{
	ASSERT_EQ(0, get(self->port, "POST", "/metrics", self->out, sizeof(self->out)));
	EXPECT_EQ(0, strncmp(self->out, "status 405\n", 11));
	EXPECT_NE(NULL, strstr(self->out, "\nallow GET, HEAD\n"));
	ASSERT_EQ(0, get(self->port, "GET", "/metricz", self->out, sizeof(self->out)));
	EXPECT_EQ(0, strncmp(self->out, "status 404\n", 11));
	ASSERT_EQ(0, get(self->port, "HEAD", "/metrics", self->out, sizeof(self->out)));
	EXPECT_EQ(0, strncmp(self->out, "status 200\n", 11));
	EXPECT_EQ(NULL, strstr(self->out, "nstaint_test"));
	atomic_store(&self->s.fail, 1);
	ASSERT_EQ(0, get(self->port, "GET", "/metrics", self->out, sizeof(self->out)));
	EXPECT_EQ(0, strncmp(self->out, "status 500\n", 11));
	EXPECT_EQ(NULL, strstr(self->out, "nstaint_test"));
}

/* A port another socket holds: a failure that says where. */
TEST_F(http, port_in_use)
{
	struct httpd_handlers h = { metrics, healthy, ready, &self->s };
	char addr[64], err[256];

	snprintf(addr, sizeof(addr), "127.0.0.1:%d", self->port);
	EXPECT_EQ(NULL, httpd_start(addr, &h, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, addr)) TH_LOG("%s", err);
}

/* The listen address: numeric IPv4 or bracketed IPv6 with a port; names,
 * missing or out-of-range ports and junk are refused with a reason. */
TEST(parse_address)
{
	static const char *const bad[] = {
		"localhost:9999", "127.0.0.1", ":9999", "127.0.0.1:", "127.0.0.1:65536",
		"127.0.0.1:-1", "127.0.0.1:99x", "::1:9999", "[::1]", "[::1:9999", "[]:1",
		"300.0.0.1:1",
	};
	struct sockaddr_storage ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	const char *why = NULL;
	char buf[64];
	socklen_t len;
	size_t i;

	ASSERT_EQ(0, httpd_parse_address("127.0.0.1:9999", &ss, &len, &why));
	EXPECT_EQ(AF_INET, a4->sin_family);
	EXPECT_EQ(9999, ntohs(a4->sin_port));
	EXPECT_STREQ("127.0.0.1", inet_ntop(AF_INET, &a4->sin_addr, buf, sizeof(buf)));
	ASSERT_EQ(0, httpd_parse_address("[::1]:80", &ss, &len, &why));
	EXPECT_EQ(AF_INET6, a6->sin6_family);
	EXPECT_EQ(80, ntohs(a6->sin6_port));
	EXPECT_EQ(sizeof(*a6), len);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		EXPECT_EQ(-EINVAL, httpd_parse_address(bad[i], &ss, &len, &why)) TH_LOG("%s", bad[i]);
		EXPECT_NE(NULL, why);
	}
}

TEST_HARNESS_MAIN
