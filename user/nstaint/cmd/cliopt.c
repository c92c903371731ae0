// SPDX-License-Identifier: GPL-2.0-only
/*
 * Option values shared by ps, trace and top.  One parser each, so that a
 * value means the same to every subcommand and is refused with the same
 * message: strtol alone would take " 12", "+12" and "12x", and a long
 * assigned to pid_t turns 4294967297 into pid 1.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd/cliopt.h"

bool cliopt_pid(const char *cmd, const char *arg, pid_t *pid)
{
	const char *s = arg;
	long v = 0;

	if (!isdigit((unsigned char)*s))
		goto bad;
	for (; isdigit((unsigned char)*s); s++) {
		v = v * 10 + (*s - '0');
		if (v > CLIOPT_PID_MAX)
			goto bad;
	}
	if (*s || !v)
		goto bad;
	*pid = v;
	return true;
bad:
	fprintf(stderr, "nstaint %s: bad pid '%s' (a number from 1 to %d)\n",
		cmd, arg, CLIOPT_PID_MAX);
	return false;
}

bool cliopt_duration(const char *cmd, const char *arg, double *sec)
{
	char *end;

	*sec = strtod(arg, &end);
	if (end != arg && !*end && *sec > 0)
		return true;
	fprintf(stderr, "nstaint %s: bad duration '%s'\n", cmd, arg);
	return false;
}

bool cliopt_ringbuf_kb(const char *cmd, const char *arg, unsigned int max,
		       unsigned int *kb)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (!errno && isdigit((unsigned char)*arg) && !*end && v && v <= max) {
		*kb = v;
		return true;
	}
	fprintf(stderr, "nstaint %s: bad ring buffer size '%s' (1 to %u KiB)\n",
		cmd, arg, max);
	return false;
}
