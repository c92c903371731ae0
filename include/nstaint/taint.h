/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Values of the BPF maps that userspace fills too (user/nstaint/source/
 * bpf_seed.c seeds them from the /proc snapshot and the libmn
 * registry).  Internal to the BPF backend, not an ABI: the one definition
 * both sides compile.
 */
#ifndef NSTAINT_BPF_TAINT_H
#define NSTAINT_BPF_TAINT_H

#include <nstaint/events.h>

/*
 * tainted[tid]: one entry per tainted thread, and only those.
 * @ns is never equal to the process home set (@mask != 0).
 */
struct taint {
	__u32 ns[NSTAINT_NS_COUNT];	/* the thread's set now */
	__u32 mask;			/* bits where @ns differs from home */
	__u32 owner_kind;		/* enum nstaint_task_kind */
	__u64 owner_id;			/* task that tainted it, if known */
	__u64 gen;			/* unique per taint, from taint_gen */
};

/*
 * seen[]: (task, system call) pairs already reported on a tainted thread,
 * with how often each was seen.  Keyed by the taint generation, not the
 * tid: a thread that is restored and tainted again, or a new thread that
 * reuses a tid, gets a new generation and so reports its tasks anew.
 * @nr is the system call number, or SEEN_SWITCH / SEEN_DISPATCH for a task
 * seen at a context switch / dispatched by its runtime (trace --exact).
 */
#define SEEN_SWITCH	(-1)
#define SEEN_DISPATCH	(-2)

struct seen_key {
	__u64 gen;
	__u64 task_id;
	__s32 nr;
	__u32 pad;			/* zero: part of the hashed key */
};

/* How a seen[] entry's task was seen: the record's enum nstaint_cause. */
static inline __attribute__((always_inline)) __u16 seen_cause(__s32 nr)
{
	return nr >= 0 ? NSTAINT_CAUSE_SYSCALL :
	       nr == SEEN_DISPATCH ? NSTAINT_CAUSE_DISPATCH :
	       NSTAINT_CAUSE_SCHED;
}

struct seen_val {
	__u64 count;			/* sightings, the first included */
	__u32 pid;			/* the thread's process */
	__u32 kind;			/* enum nstaint_task_kind */
	__u32 tid;			/* the tainted thread (current) */
	__u32 pad;
};

/* The mnrings ring buffer's records: process @pid published its report
 * ring at its fd @fd (libmn:ring_ready). */
struct nstaint_mnring_notice {
	__u32 pid;
	__s32 fd;
};

#endif
