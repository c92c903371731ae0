/* SPDX-License-Identifier: GPL-2.0-only */
/* CLOCK_MONOTONIC in ns: the clock of every record (BPF's ktime). */
#ifndef NSTAINT_MONOTIME_H
#define NSTAINT_MONOTIME_H

#include <time.h>

static inline unsigned long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

#endif
