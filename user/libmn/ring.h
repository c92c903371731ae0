/* SPDX-License-Identifier: GPL-2.0-only */
/* libmn's report ring (ring.c): every report also goes there. */
#ifndef MN_RING_REPORTS_H
#define MN_RING_REPORTS_H

#include <nstaint/mn_ring.h>
#include <nstaint/mnrace_abi.h>	/* mn_ring_report, exported */
#include "common/nsset.h"

struct mn_g;

/* Make the ring and publish it in the registry, unless MN_RING=0. */
void mn_ring_init(void) __attribute__((visibility("hidden")));

/* A fatal misuse by @g (NULL: outside a task), @msg its stderr text,
 * with the calling thread's stack less its @skip innermost frames above
 * this call (the reporting code's own). */
void mn_ring_error(struct mn_g *g, enum mn_ring_error code, const char *msg,
		   unsigned int skip)
	__attribute__((visibility("hidden")));

/* At exit: task @id, made by @creator, still blocked (MN_RING_TASK_LEAK)
 * or a context it made never cancelled (MN_RING_CTX_LEAK). */
void mn_ring_leak(enum mn_ring_kind kind, unsigned long long id,
		  unsigned long long creator, const char *msg)
	__attribute__((visibility("hidden")));

/* Thread @tid retired because task @task left it in other namespaces
 * (@diff: NSTAINT_NS_BIT()s where @home and @now differ). */
void mn_ring_retired(unsigned long long task, int tid, const struct ns_set *home,
		     const struct ns_set *now, unsigned int diff)
	__attribute__((visibility("hidden")));

/* Before the process ends (exit, a fatal error's _exit): wait, bounded,
 * for a tracer's reader to drain the ring, if one is attached. */
void mn_ring_linger(void) __attribute__((visibility("hidden")));

#endif
