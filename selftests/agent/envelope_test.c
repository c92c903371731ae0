// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of user/nstaint/agent/envelope and labelcap: times read back by Python's
 * datetime (an independent RFC 3339 reader) and compared with the
 * seconds and nanoseconds written; the node name's order of precedence
 * against uname(1); the label cap's bound.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kselftest_harness.h"
#include "../../user/nstaint/agent/envelope.h"
#include "../../user/nstaint/agent/labelcap.h"

static int run(const char *cmd, char *out, size_t sz)
{
	FILE *f = popen(cmd, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(out, 1, sz - 1, f);
	out[n] = '\0';
	return pclose(f);
}

/* Python parses what we wrote back to the same second and nanosecond,
 * for the epoch, a leap day, now, and the last representable second. */
TEST(time_round_trips)
{
	struct timespec cases[] = {
		{ 0, 0 }, { 951782400 + 86399, 999999999 }, { 0, 0 }, { 253402300799, 1 },
	};
	char buf[ENVELOPE_TIME_LEN], cmd[512], out[128], want[128];
	size_t i;

	clock_gettime(CLOCK_REALTIME, &cases[2]);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ASSERT_EQ(0, envelope_time(&cases[i], buf, sizeof(buf)));
		EXPECT_EQ(ENVELOPE_TIME_LEN - 1, strlen(buf));
		snprintf(cmd, sizeof(cmd),
			 "/usr/bin/python3 -c 'import datetime,sys; s=sys.argv[1]; "
			 "d=datetime.datetime.strptime(s[:19],\"%%Y-%%m-%%dT%%H:%%M:%%S\")"
			 ".replace(tzinfo=datetime.timezone.utc); assert s[19]==\".\" and s[-1]==\"Z\"; "
			 "print(int((d-datetime.datetime(1970,1,1,tzinfo=datetime.timezone.utc))"
			 ".total_seconds()), int(s[20:29]))' %s", buf);
		ASSERT_EQ(0, run(cmd, out, sizeof(out))) TH_LOG("%s", buf);
		snprintf(want, sizeof(want), "%lld %ld\n", (long long)cases[i].tv_sec,
			 cases[i].tv_nsec);
		EXPECT_STREQ(want, out) TH_LOG("%s", buf);
	}
	EXPECT_STREQ("1970-01-01T00:00:00.000000000Z",
		     (envelope_time(&cases[0], buf, sizeof(buf)), buf));
}

/* Bad input: a short buffer, nanoseconds out of range, a year past 9999. */
TEST(time_errors)
{
	struct timespec ts = { 0, 1000000000L }, far = { 253402300800, 0 }, ok = { 0, 0 };
	char buf[ENVELOPE_TIME_LEN];

	EXPECT_EQ(-EINVAL, envelope_time(&ts, buf, sizeof(buf)));
	EXPECT_EQ(-EINVAL, envelope_time(&far, buf, sizeof(buf)));
	EXPECT_EQ(-EINVAL, envelope_time(&ok, buf, sizeof(buf) - 1));
}

/* --node-name, then $NODE_NAME, then the host name uname(1) prints. */
TEST(node_name_precedence)
{
	char buf[256], host[256];

	ASSERT_EQ(0, run("uname -n", host, sizeof(host)));
	host[strcspn(host, "\n")] = '\0';
	unsetenv("NODE_NAME");
	EXPECT_STREQ(host, envelope_node_name(NULL, buf, sizeof(buf)));
	EXPECT_STREQ(host, envelope_node_name("", buf, sizeof(buf)));
	setenv("NODE_NAME", "worker-7", 1);
	EXPECT_STREQ("worker-7", envelope_node_name(NULL, buf, sizeof(buf)));
	EXPECT_STREQ("flag-node", envelope_node_name("flag-node", buf, sizeof(buf)));
	unsetenv("NODE_NAME");
}

/* The first N distinct values are kept, the rest are "_other", a value
 * seen before keeps its own name after the cap, and "_other" itself
 * cannot take a slot. */
TEST(label_cap)
{
	struct labelcap c;
	char v[16];
	int i;

	labelcap_init(&c, 3);
	EXPECT_STREQ("_other", labelcap_get(&c, "_other"));
	for (i = 0; i < 10; i++) {
		snprintf(v, sizeof(v), "comm%d", i);
		EXPECT_STREQ(i < 3 ? v : "_other", labelcap_get(&c, v));
	}
	EXPECT_STREQ("comm1", labelcap_get(&c, "comm1"));
	EXPECT_EQ(3, c.n);
	labelcap_free(&c);
	EXPECT_EQ(0, c.n);
}

TEST_HARNESS_MAIN
