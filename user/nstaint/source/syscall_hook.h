/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * When the BPF system call entry hook (bpf/nstaint.bpf.c syscall_check) is
 * attached: only while at least one thread is tainted.  A sys_enter
 * program costs every system call of every task a BPF run (and, where no
 * syscall tracepoint is on yet, the kernel's slow path), so with nothing
 * tainted it is not there at all, whatever the kernel.  A followed process
 * tainted while it is off waits for it (NSTAINT_F_HELD).
 */
#ifndef NSTAINT_SYSCALL_HOOK_H
#define NSTAINT_SYSCALL_HOOK_H

#include <linux/types.h>

struct nstaint_bpf;
struct nstaint_event;

struct syscall_hook {
	struct bpf_program *prog;	/* the tp_btf or the raw_tp form */
	struct bpf_link *link;		/* attached now */
	/* Taint-to-attach windows measured (a record that found the hook
	 * detached with something tainted, to the attach). */
	unsigned long nwindows;
	__u64 window_sum_ns, window_max_ns;
};

/*
 * Before load: keep the tp_btf form where the kernel's BTF knows the
 * tracepoint, else raw_tp; the skeleton never attaches it.
 */
void syscall_hook_prepare(struct syscall_hook *h, struct nstaint_bpf *skel);

/*
 * After attach and before each record goes to the sink: attach while the
 * BPF side counts tainted threads, detach when it counts none.  @ev, if
 * not NULL, is the record that asked for it (its time measures the
 * window).  0 or a negative errno (printed).
 */
int syscall_hook_update(struct syscall_hook *h, struct nstaint_bpf *skel,
			const struct nstaint_event *ev);

/* Detach; with NSTAINT_DEBUG set, print the windows measured. */
void syscall_hook_close(struct syscall_hook *h, struct nstaint_bpf *skel);

#endif
