/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One record per thread written by bpf/taskns_iter.bpf.c (iter/task) and
 * read by user/nstaint/snapshot_iter.c: what a /proc scan learns about a
 * thread, in one read of the iterator.  Include after vmlinux.h (BPF) or
 * linux/types.h.
 */
#ifndef NSTAINT_TASKNS_ITER_H
#define NSTAINT_TASKNS_ITER_H

#include <nstaint/events.h>

/* The thread is a kernel thread: /proc may name it differently. */
#define TASKNS_F_KTHREAD	(1u << 0)

struct taskns_rec {
	__u32 tid;		/* in the reader's pid namespace */
	__u32 tgid;
	__u32 ppid;		/* the leader's parent's tgid, 0 if not visible */
	__u32 flags;		/* TASKNS_F_* */
	__u32 ino[NSTAINT_NS_COUNT];	/* as /proc/TID/ns/ shows them, 0: none */
	char comm[NSTAINT_COMM_LEN];
};

#endif
