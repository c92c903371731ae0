/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What "differs" means for two namespace sets: the one definition that
 * the BPF programs, the kernel module and userspace all compile.
 *
 * Inode 0 is "unknown" (events.h): /proc shows no pid_for_children link
 * after unshare(CLONE_NEWPID) until the first child is born, an old
 * kernel has no time or cgroup namespace, an exiting task has no
 * nsproxy.  An unknown inode never differs from anything, or every such
 * set would look tainted against one that knows the inode.
 *
 * Branch-free on purpose: a branch per namespace doubles the paths the
 * BPF verifier walks for each call, and 6.1's verifier, which prunes less
 * than newer ones, gives up on exit_setns (over 1M instructions, E2BIG)
 * with a branchy loop.  Include after vmlinux.h (BPF) or linux/types.h.
 */
#ifndef NSTAINT_NSDIFF_H
#define NSTAINT_NSDIFF_H

#include <nstaint/events.h>

/* 1 iff @x != 0: for a 32-bit x, (x + 0xffffffff) >> 32 is 1 iff x != 0. */
static inline __attribute__((always_inline)) __u32 nstaint_nonzero(__u32 x)
{
	return (__u32)(((__u64)x + 0xffffffffULL) >> 32);
}

/* 1 iff inodes @a and @b are both known (non-zero) and differ. */
static inline __attribute__((always_inline)) __u32
nstaint_ino_differs(__u32 a, __u32 b)
{
	return nstaint_nonzero(a) & nstaint_nonzero(b) & nstaint_nonzero(a ^ b);
}

/* Bit NSTAINT_NS_BIT(i) set iff sets @a and @b differ in namespace i. */
static inline __attribute__((always_inline)) __u32
nstaint_ns_diff(const __u32 *a, const __u32 *b)
{
	__u32 mask = 0;
	int i;

	for (i = 0; i < NSTAINT_NS_COUNT; i++)
		mask |= nstaint_ino_differs(a[i], b[i]) << i;
	return mask;
}

#endif /* NSTAINT_NSDIFF_H */
