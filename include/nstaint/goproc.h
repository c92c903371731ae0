/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Where a Go process keeps its running goroutine: the value of the BPF
 * goprocs and gobins maps, written by userspace (user/nstaint/attr/goattr.c
 * computes it) and read by bpf/nstaint.bpf.c on a tainted thread.  Internal
 * to the BPF backend, not an ABI: the one definition both sides compile
 * (BPF after vmlinux.h, userspace after linux/types.h).
 */
#ifndef NSTAINT_BPF_GOPROC_H
#define NSTAINT_BPF_GOPROC_H

#if !defined(__VMLINUX_H__)
#include <linux/types.h>
#endif

struct go_offsets {
	__s64 tls_g;			/* g pointer at fsbase + this */
	__u32 goid;			/* runtime.g.goid */
	__u32 lockedm;			/* runtime.g.lockedm */
};

/*
 * An executable file as the kernel saw it at exec (the key of gobins):
 * the BPF side reads it from the exec'd file's inode, so userspace never
 * has to match stat(2)'s st_dev, which differs on overlayfs and btrfs.
 * The generation tells a new file from an old one under a reused inode
 * number.
 */
struct go_exe {
	__u64 ino;
	__u32 dev;
	__u32 gen;
};

#endif /* NSTAINT_BPF_GOPROC_H */
