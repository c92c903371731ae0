// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of user/nstaint/agent/promtext: what it writes is read back by the
 * official Prometheus client's parser (selftests/lib/promparse.py) and
 * linted by promtool, so the oracle is not our own reading of the format.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "../../user/nstaint/agent/promtext.h"

/* Run @cmd with @in on its stdin; its stdout into @out (NUL-terminated). */
static int filter(const char *cmd, const char *in, char *out, size_t outsz)
{
	char path[] = "/tmp/promtext_test.XXXXXX";
	char full[512];
	size_t n;
	FILE *f;
	int fd, rc;

	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	if (write(fd, in, strlen(in)) != (ssize_t)strlen(in)) {
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	snprintf(full, sizeof(full), "%s <%s 2>&1", cmd, path);
	f = popen(full, "r");
	if (!f) {
		unlink(path);
		return -1;
	}
	n = fread(out, 1, outsz - 1, f);
	out[n] = '\0';
	rc = pclose(f);
	unlink(path);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

#define PARSE "/usr/bin/python3 selftests/lib/promparse.py"

FIXTURE(prom) {
	struct promtext p;
	char out[8192];
};

FIXTURE_SETUP(prom)
{
	promtext_init(&self->p);
}

FIXTURE_TEARDOWN(prom)
{
	promtext_free(&self->p);
}

/* A counter and a gauge family with labels parse back with their types,
 * help text, label values and exact values. */
TEST_F(prom, families_parse_back)
{
	struct prom_label ev[] = { { "event", "thread_tainted" } };
	struct prom_label st[] = { { "stage", "ring" } };

	ASSERT_EQ(0, promtext_family(&self->p, "nstaint_records_total", PROM_COUNTER,
				     "Records received, by event type."));
	ASSERT_EQ(0, promtext_sample_u64(&self->p, "nstaint_records_total", ev, 1, 42));
	ASSERT_EQ(0, promtext_family(&self->p, "nstaint_records_lost_total", PROM_COUNTER,
				     "Records lost, by pipeline stage."));
	ASSERT_EQ(0, promtext_sample_u64(&self->p, "nstaint_records_lost_total", st, 1, 0));
	ASSERT_EQ(0, promtext_family(&self->p, "nstaint_tainted_threads", PROM_GAUGE,
				     "Threads whose namespaces differ from their process's."));
	ASSERT_EQ(0, promtext_sample(&self->p, "nstaint_tainted_threads", NULL, 0, 3));
	ASSERT_FALSE(promtext_oom(&self->p));

	ASSERT_EQ(0, filter(PARSE, self->p.buf, self->out, sizeof(self->out)));
	EXPECT_STREQ(self->out,
		     "family nstaint_records counter \"Records received, by event type.\"\n"
		     "sample nstaint_records_total {\"event\": \"thread_tainted\"} 42.0\n"
		     "family nstaint_records_lost counter \"Records lost, by pipeline stage.\"\n"
		     "sample nstaint_records_lost_total {\"stage\": \"ring\"} 0.0\n"
		     "family nstaint_tainted_threads gauge \"Threads whose namespaces differ from their process's.\"\n"
		     "sample nstaint_tainted_threads {} 3.0\n");
}

/* Backslash, double quote and newline in a label value, and backslash and
 * newline in HELP, survive the round trip; so does UTF-8. */
TEST_F(prom, escaping_round_trips)
{
	struct prom_label l[] = { { "comm", "a\"b\\c\nd" }, { "z", "h\xc3\xa9" } };

	ASSERT_EQ(0, promtext_family(&self->p, "x_info", PROM_GAUGE, "line1\nline2 \\ back"));
	ASSERT_EQ(0, promtext_sample(&self->p, "x_info", l, 2, 1));
	ASSERT_EQ(0, filter(PARSE, self->p.buf, self->out, sizeof(self->out)));
	EXPECT_STREQ(self->out,
		     "family x_info gauge \"line1\\nline2 \\\\ back\"\n"
		     "sample x_info {\"comm\": \"a\\\"b\\\\c\\nd\", \"z\": \"h\\u00e9\"} 1.0\n");
}

/* Values: integers beyond 2^53 are written exactly (read back from the
 * text, not through a double), doubles read back bit for bit, and the
 * format's +Inf, -Inf and NaN. */
TEST_F(prom, values_exact)
{
	double d = 0.1 + 0.2, back;
	char *line;

	ASSERT_EQ(0, promtext_family(&self->p, "v", PROM_GAUGE, "v"));
	ASSERT_EQ(0, promtext_sample_u64(&self->p, "v", (struct prom_label[]){ { "k", "big" } },
					 1, UINT64_MAX));
	ASSERT_EQ(0, promtext_sample(&self->p, "v", (struct prom_label[]){ { "k", "d" } }, 1, d));
	ASSERT_EQ(0, promtext_sample(&self->p, "v", (struct prom_label[]){ { "k", "inf" } }, 1,
				     INFINITY));
	ASSERT_EQ(0, promtext_sample(&self->p, "v", (struct prom_label[]){ { "k", "ninf" } }, 1,
				     -INFINITY));
	ASSERT_EQ(0, promtext_sample(&self->p, "v", (struct prom_label[]){ { "k", "nan" } }, 1,
				     NAN));
	EXPECT_NE(NULL, strstr(self->p.buf, "v{k=\"big\"} 18446744073709551615\n"));
	line = strstr(self->p.buf, "v{k=\"d\"} ");
	ASSERT_NE(NULL, line);
	back = strtod(line + strlen("v{k=\"d\"} "), NULL);
	EXPECT_EQ(0, memcmp(&back, &d, sizeof(d)));

	ASSERT_EQ(0, filter(PARSE, self->p.buf, self->out, sizeof(self->out)));
	EXPECT_NE(NULL, strstr(self->out, "{\"k\": \"inf\"} inf\n"));
	EXPECT_NE(NULL, strstr(self->out, "{\"k\": \"ninf\"} -inf\n"));
	EXPECT_NE(NULL, strstr(self->out, "{\"k\": \"nan\"} nan\n"));
}

/* A bad metric or label name (or a reserved __ label) is refused and
 * writes nothing, so one bug cannot make the whole page unparsable. */
TEST_F(prom, bad_names_write_nothing)
{
	struct prom_label bad[] = { { "ok", "1" }, { "1x", "2" } };
	struct prom_label rsv[] = { { "__name__", "x" } };

	EXPECT_EQ(-EINVAL, promtext_family(&self->p, "9lives", PROM_GAUGE, "h"));
	EXPECT_EQ(-EINVAL, promtext_family(&self->p, "a-b", PROM_GAUGE, "h"));
	EXPECT_EQ(-EINVAL, promtext_sample(&self->p, "", NULL, 0, 1));
	EXPECT_EQ(-EINVAL, promtext_sample(&self->p, "ok", bad, 2, 1));
	EXPECT_EQ(-EINVAL, promtext_sample(&self->p, "ok", rsv, 1, 1));
	EXPECT_EQ(0, self->p.len);
	EXPECT_TRUE(promtext_metric_name_valid("a:b_c9"));
	EXPECT_FALSE(promtext_label_name_valid("a:b"));
}

/* promtool, Prometheus' own linter, accepts a page of counters and
 * gauges written this way (names, units, HELP/TYPE placement). */
TEST_F(prom, promtool_lints_clean)
{
	struct prom_label l[] = { { "stage", "ring" } };

	ASSERT_EQ(0, promtext_family(&self->p, "nstaint_records_lost_total", PROM_COUNTER,
				     "Records lost, by pipeline stage."));
	ASSERT_EQ(0, promtext_sample_u64(&self->p, "nstaint_records_lost_total", l, 1, 7));
	ASSERT_EQ(0, promtext_family(&self->p, "nstaint_last_record_timestamp_seconds",
				     PROM_GAUGE, "Wall clock time of the last record, in seconds."));
	ASSERT_EQ(0, promtext_sample(&self->p, "nstaint_last_record_timestamp_seconds", NULL, 0,
				     1764590000.5));
	EXPECT_EQ(0, filter("promtool check metrics", self->p.buf, self->out, sizeof(self->out)))
		TH_LOG("promtool: %s", self->out);
	EXPECT_STREQ("", self->out);
}

/* The buffer grows past its first allocation without losing bytes. */
TEST_F(prom, grows)
{
	char name[32];
	int i;

	for (i = 0; i < 2000; i++) {
		snprintf(name, sizeof(name), "m%d", i);
		ASSERT_EQ(0, promtext_sample_u64(&self->p, name, NULL, 0, i));
	}
	EXPECT_EQ(0, promtext_oom(&self->p));
	EXPECT_NE(NULL, strstr(self->p.buf, "\nm1999 1999\n"));
	EXPECT_EQ(strlen(self->p.buf), self->p.len);
	promtext_reset(&self->p);
	EXPECT_EQ(0, self->p.len);
	EXPECT_STREQ("", self->p.buf);
}

TEST_HARNESS_MAIN
