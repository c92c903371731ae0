// SPDX-License-Identifier: GPL-2.0-only
/* envelope: see envelope.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "envelope.h"

int envelope_time(const struct timespec *ts, char *buf, size_t sz)
{
	struct tm tm;

	if (sz < ENVELOPE_TIME_LEN || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000L ||
	    !gmtime_r(&ts->tv_sec, &tm) || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0)
		return -EINVAL;
	snprintf(buf, sz, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts->tv_nsec);
	return 0;
}

const char *envelope_node_name(const char *flag, char *buf, size_t sz)
{
	const char *env = getenv("NODE_NAME");
	struct utsname u;

	if (flag && *flag)
		return flag;
	if (env && *env)
		return env;
	if (uname(&u) < 0)
		return "unknown";
	snprintf(buf, sz, "%s", u.nodename);
	return buf;
}
