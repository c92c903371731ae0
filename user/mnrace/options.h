/* SPDX-License-Identifier: GPL-2.0-only */
/* MNRACE_OPTIONS, in TSAN_OPTIONS style (options.c, docs/mnrace.md). */
#ifndef MNRACE_OPTIONS_H
#define MNRACE_OPTIONS_H

#include <stdbool.h>

struct mnr_options {
	int exitcode;		/* exit status when anything was reported: 66 */
	bool halt_on_error;	/* exit after the first report */
	char log_path[256];	/* reports to PATH.PID; "" or "stderr": stderr */
	unsigned history_size;	/* 2^N history parts per slot: 3 */
	char suppressions[256];	/* file of race:pattern lines */
	double sample;		/* fraction of time accesses are checked: 1 */
	unsigned sample_seed;	/* of the sampled periods; 0: from the clock */
	unsigned sample_period;	/* events per thread per period: 1024 */
};

extern struct mnr_options mnr_opt;

/* Parse @s (NULL: defaults); a bad option is reported and ignored. */
void options_parse(const char *s);

#endif
