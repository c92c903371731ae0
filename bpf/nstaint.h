/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Maps shared by bpf/nstaint.bpf.c and its loader (user/nstaint/
 * backend_bpf.c).  Not part of the event ABI: records to userspace are
 * struct nstaint_event (include/nstaint/events.h); these are the private
 * state the BPF side keeps and userspace seeds at startup.
 */
#ifndef NSTAINT_BPF_H
#define NSTAINT_BPF_H

#define NSTAINT_MAX_PROCS	16384
#define NSTAINT_MAX_THREADS	16384
#define NSTAINT_MAX_SEEN	65536

/* homes[pid]: the process's home set (design.md). */
struct nstaint_home {
	__u32 ns[NSTAINT_NS_COUNT];
};

/*
 * tainted[tid]: present exactly while the thread differs from its home set.
 * sched_switch looks only here first, so an untainted thread costs one
 * failed lookup.
 */
struct nstaint_tainted {
	__u32 pid;
	__u32 mask;			/* bits differing from home */
	__u64 since_ns;			/* when it became tainted */
	__u64 owner_id;
	__u32 owner_kind;		/* enum nstaint_task_kind */
	__u32 pad;
};

/* goprocs[pid]: where to find the running goroutine of a Go process. */
struct nstaint_goproc {
	__s64 tls_g_off;		/* g pointer at fsbase + this (-8) */
	__u32 goid_off;			/* runtime.g.goid */
	__u32 lockedm_off;		/* runtime.g.lockedm */
};

/* gobins[{dev, ino}]: Go executables userspace already inspected; exec
 * of one configures goprocs at once, before the program can run. */
struct nstaint_file_key {
	__u64 dev;			/* kernel encoding: major << 20 | minor */
	__u64 ino;
};

/* seen[{tid, task}]: times an unlocked task ran on a tainted thread. */
struct nstaint_seen_key {
	__u32 tid;
	__u32 kind;
	__u64 task_id;
	__u64 since_ns;			/* of the taint: a new taint counts anew */
};

/* Internal notice to the loader (second ring buffer): a process exec'd,
 * so it may be a Go program whose offsets must be configured. */
struct nstaint_exec_notice {
	__u32 pid;
	__u32 pad;
};

#endif
