/* SPDX-License-Identifier: GPL-2.0-only */
/* Option values shared by the subcommands, parsed one way for all. */
#ifndef NSTAINT_CLIOPT_H
#define NSTAINT_CLIOPT_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * The largest pid Linux hands out: pid_max is at most PID_MAX_LIMIT
 * (4194304 on 64-bit, include/linux/threads.h) and pids stay below it.
 */
#define CLIOPT_PID_MAX	(4 * 1024 * 1024 - 1)

/*
 * -p PID of `nstaint @cmd`: decimal digits only (no sign, no blanks, no
 * trailing junk), 1 to CLIOPT_PID_MAX.  False, after printing
 * "nstaint @cmd: bad pid '@arg' ..." and a newline, when @arg is no pid.
 */
bool cliopt_pid(const char *cmd, const char *arg, pid_t *pid);

/*
 * --duration SEC of `nstaint @cmd`: a number of seconds above 0 and
 * nothing after it.  False, after printing "nstaint @cmd: bad duration
 * '@arg'" and a newline, when it is not.
 */
bool cliopt_duration(const char *cmd, const char *arg, double *sec);

/*
 * --ringbuf-kb KB of `nstaint @cmd`: 1 to @max KiB, decimal.  False,
 * after printing "nstaint @cmd: bad ring buffer size ..." and a newline.
 */
bool cliopt_ringbuf_kb(const char *cmd, const char *arg, unsigned int max,
		       unsigned int *kb);

#endif
