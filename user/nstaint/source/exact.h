/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * trace --exact: the runtime's dispatch hooked (Go's runtime.execute by a
 * uprobe, libmn's task_start USDT probe) in each process that has a
 * tainted thread, and only while it has one, so that a task dispatched
 * onto a tainted thread is named even if it makes no system call.  The
 * cost (a trap per dispatch) falls on that process alone.
 */
#ifndef NSTAINT_EXACT_H
#define NSTAINT_EXACT_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct nstaint_bpf;

struct exact {
	struct exact_probe {
		__u32 pid;
		struct bpf_link *link;	/* NULL: tried, nothing to hook */
	} *v;
	size_t n;
};

/* Before load: the dispatch programs are loaded only when @on. */
void exact_prepare(struct nstaint_bpf *skel, bool on);

/*
 * A thread of @pid became tainted: hook its dispatch if not done yet.
 * Prints why when a process cannot be hooked (stripped, old Go).
 */
void exact_taint(struct exact *x, struct nstaint_bpf *skel, __u32 pid);

/* Unhook the processes that have no tainted thread any more. */
void exact_update(struct exact *x, struct nstaint_bpf *skel);

void exact_close(struct exact *x);

#endif
