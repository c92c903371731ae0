/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * nstaint event ABI: the one definition of the records that the BPF
 * programs (bpf/), the kernel module (kmod/) and the userspace consumer
 * (user/) exchange.
 *
 * Rules:
 *  - Every record is one struct nstaint_event, fixed size, naturally
 *    aligned, no implicit padding (selftests/abi checks every offset).
 *  - Fields are only ever appended; a change of size or meaning bumps
 *    NSTAINT_ABI_VERSION.  Readers reject records whose version or size
 *    they do not know.
 *  - Namespace inodes are indexed by enum nstaint_ns; 0 means "unknown"
 *    (the kernel never hands out inode 0 for a namespace).
 *
 * The header compiles in three worlds: BPF programs that include
 * vmlinux.h first, the kernel module, and userspace.
 */
#ifndef NSTAINT_EVENTS_H
#define NSTAINT_EVENTS_H

#if !defined(__VMLINUX_H__)
#include <linux/types.h>
#endif

#define NSTAINT_ABI_VERSION	2

/* Index of each namespace type in the inode arrays below. */
enum nstaint_ns {
	NSTAINT_NS_MNT = 0,
	NSTAINT_NS_NET,
	NSTAINT_NS_UTS,
	NSTAINT_NS_IPC,
	NSTAINT_NS_USER,	/* task->cred->user_ns */
	NSTAINT_NS_CGROUP,
	NSTAINT_NS_TIME,	/* time_for_children */
	NSTAINT_NS_PID,		/* pid_for_children */
	NSTAINT_NS_COUNT,
};

/* One bit per enum nstaint_ns, used in the *_mask fields. */
#define NSTAINT_NS_BIT(ns)	(1U << (ns))
#define NSTAINT_NS_ALL		((1U << NSTAINT_NS_COUNT) - 1)

enum nstaint_event_type {
	NSTAINT_EV_NONE = 0,
	NSTAINT_EV_NS_CHANGE,		/* a thread's namespace set changed */
	NSTAINT_EV_THREAD_TAINTED,	/* it now differs from the home set */
	NSTAINT_EV_THREAD_RESTORED,	/* it is equal to the home set again */
	NSTAINT_EV_CLONE_FROM_TAINTED,	/* created by a tainted thread */
	NSTAINT_EV_TASK_ON_TAINTED_THREAD, /* unlocked user task ran there */
	NSTAINT_EV_THREAD_EXIT,		/* a tracked (tainted) thread exited */
	NSTAINT_EV_LOST,		/* @count records were dropped */
	NSTAINT_EV_TASK_SUMMARY,	/* a taint ended: one task's count */
	NSTAINT_EV_TYPE_COUNT,
};

/* What made the kernel change the namespace set. */
enum nstaint_cause {
	NSTAINT_CAUSE_UNKNOWN = 0,
	NSTAINT_CAUSE_SETNS,
	NSTAINT_CAUSE_UNSHARE,
	NSTAINT_CAUSE_CLONE,
	NSTAINT_CAUSE_EXEC,
	NSTAINT_CAUSE_EXIT,
	NSTAINT_CAUSE_CREDS,		/* user namespace through commit_creds */
	NSTAINT_CAUSE_SNAPSHOT,		/* found in /proc at startup */
	NSTAINT_CAUSE_SCHED,		/* seen at a context switch */
	NSTAINT_CAUSE_SYSCALL,		/* seen at a system call's entry */
	NSTAINT_CAUSE_DISPATCH,		/* seen at the runtime's dispatch */
};

/* Why a `lost` record's @count records were dropped (@lost_reason). */
enum nstaint_lost_reason {
	NSTAINT_LOST_UNKNOWN = 0,
	NSTAINT_LOST_RINGBUF,		/* the ring buffer was full */
	NSTAINT_LOST_TAINTED_FULL,	/* tainted-thread table full: unseen */
	NSTAINT_LOST_SEEN_FULL,		/* dedup table full: task unreported */
	NSTAINT_LOST_REASON_COUNT,
};

/* Which kind of user task @task_id and @owner_id name. */
enum nstaint_task_kind {
	NSTAINT_TASK_NONE = 0,		/* no user task known */
	NSTAINT_TASK_GO,		/* Go goroutine id (goid) */
	NSTAINT_TASK_LIBMN,		/* libmn task id */
};

/* Bits of nstaint_event.flags. */
#define NSTAINT_F_TASK_LOCKED	(1U << 0) /* task locked to its thread */
#define NSTAINT_F_NEW_PROCESS	(1U << 1) /* clone made a process */
#define NSTAINT_F_HOME_MOVED	(1U << 2) /* single-threaded: home moved */
#define NSTAINT_F_STACK_TRUNC	(1U << 3) /* more frames than ustack[] */
#define NSTAINT_F_HELD		(1U << 4) /* thread_tainted: the process is
					   * stopped until the consumer has
					   * its system call hook attached */

#define NSTAINT_COMM_LEN	16
#define NSTAINT_MAX_STACK	16

/*
 * The record.  Field meaning per type:
 *
 *  ns_old/ns_new   the thread's set before/after (ns_change, tainted,
 *                  restored); parent/child for clone_from_tainted;
 *                  ns_new is the current set for the other types.
 *  ns_home         the process's home set at the time of the event.
 *  changed_mask    bits where ns_old != ns_new.
 *  tainted_mask    bits where ns_new != ns_home.
 *  parent_tid      clone_from_tainted: the tainted thread that cloned.
 *  count           lost: records dropped since the previous lost record;
 *                  task_on_tainted_thread: 1 (the first sighting);
 *                  task_summary: times the task was seen making
 *                  @syscall_nr (-1: seen at context switches) during
 *                  the taint that just ended.
 *  task_id/kind    the user task running now (0/NONE if unknown).
 *  owner_id        the user task that tainted the thread, if known.
 *  ustack          user stack of the tainting call, innermost first,
 *                  @stack_depth entries valid.
 *  syscall_nr      the system call the thread was making (x86-64
 *                  numbers), -1 if none or unknown.
 *  lost_reason     lost: enum nstaint_lost_reason; 0 for other types.
 */
struct nstaint_event {
	__u16 version;			/* NSTAINT_ABI_VERSION */
	__u16 type;			/* enum nstaint_event_type */
	__u16 size;			/* sizeof(struct nstaint_event) */
	__u16 cause;			/* enum nstaint_cause */
	__u64 ts_ns;			/* CLOCK_MONOTONIC */
	__u32 pid;			/* thread group id */
	__u32 tid;			/* thread id */
	char comm[NSTAINT_COMM_LEN];
	__u32 ns_old[NSTAINT_NS_COUNT];
	__u32 ns_new[NSTAINT_NS_COUNT];
	__u32 ns_home[NSTAINT_NS_COUNT];
	__u32 changed_mask;
	__u32 tainted_mask;
	__u32 parent_tid;
	__u32 flags;			/* NSTAINT_F_* */
	__u64 clone_flags;
	__u64 count;
	__u64 task_id;
	__u64 owner_id;
	__u32 task_kind;		/* enum nstaint_task_kind */
	__u32 owner_kind;		/* enum nstaint_task_kind */
	__s32 ret;			/* syscall return value */
	__u32 stack_depth;
	__u64 ustack[NSTAINT_MAX_STACK];
	__s32 syscall_nr;
	__u32 lost_reason;		/* enum nstaint_lost_reason */
};

#endif /* NSTAINT_EVENTS_H */
