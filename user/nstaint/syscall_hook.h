/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * When the BPF system call entry hook (bpf/nstaint.bpf.c syscall_check) is
 * attached.  A sys_enter program puts every system call of every task on
 * the kernel's slow path; where the syscall tracepoints are on anyway
 * (setns/unshare hooked by them: no BPF trampoline) that is already paid
 * and the hook stays attached.  Elsewhere (fentry kernels, --lazy) it is
 * attached only while at least one thread is tainted.
 */
#ifndef NSTAINT_SYSCALL_HOOK_H
#define NSTAINT_SYSCALL_HOOK_H

#include <stdbool.h>
#include <linux/types.h>

struct nstaint_bpf;
struct nstaint_event;

struct syscall_hook {
	struct bpf_program *prog;	/* tp_btf or raw_tp form, NULL: none */
	struct bpf_link *link;		/* attached on demand (dynamic) */
	bool dynamic;
	/* Taint-to-attach windows measured (a taint record that found the
	 * hook detached, to the attach). */
	unsigned long nwindows;
	__u64 window_sum_ns, window_max_ns;
};

/*
 * Before load: keep the tp_btf form where the kernel's BTF knows the
 * tracepoint, else raw_tp; @dynamic as above.  The skeleton attaches it
 * itself only when not dynamic.
 */
void syscall_hook_prepare(struct syscall_hook *h, struct nstaint_bpf *skel,
			  bool dynamic);

/*
 * After attach and after each batch of records: attach while the BPF
 * side counts tainted threads, detach when it counts none.  @ev, if not
 * NULL, is the taint record that asked for it (its time measures the
 * window).  0 or a negative errno (printed).
 */
int syscall_hook_update(struct syscall_hook *h, struct nstaint_bpf *skel,
			const struct nstaint_event *ev);

/* Detach; with NSTAINT_DEBUG set, print the windows measured. */
void syscall_hook_close(struct syscall_hook *h, struct nstaint_bpf *skel);

#endif
