/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The report ring: how libmn and mnrace hand their reports (data races,
 * runtime errors, leaks, retired threads) to nstaint, beside the stderr
 * text, without a system call and without ever waiting for a reader.
 *
 * The ring is a sealed memfd of the reporting process: a header page,
 * then @nrec fixed-size records.  The process maps it once; a reader
 * (nstaint) opens it through /proc/PID/fd/N and maps it too.  Where it is
 * is published in the process (libmn's registry, mn_abi.h).
 *
 * Protocol: a bounded multi-producer, single-consumer queue of sequenced
 * slots (after D. Vyukov's bounded MPMC queue).  Record slot i holds
 * index p (p mod nrec == i) and its @seq says whose turn it is:
 *   seq == p       free for the writer of index p;
 *   seq == p + 1   index p is written and published;
 *   seq == p + nrec  read: free for index p + nrec.
 * A writer takes index p = @head when slot seq == p, by compare-and-swap
 * of @head, fills the record and publishes it with a release store of
 * seq = p + 1.  When seq < p the slot still holds an unread record: the
 * ring is full, and the writer drops its record and adds 1 to @lost.
 * Writers never wait, so a report may be made from any context, a
 * signal handler or a fatal error included.  The one reader goes through
 * the indices in order from @tail: it copies a published record out,
 * frees the slot (seq = p + nrec, release) and advances @tail.  At most
 * one reader at a time: it claims @reader with its pid.
 *
 * The reporting process writes all of this, so a reader trusts none of
 * it: it checks the header and the file's seals and size before mapping,
 * copies each record before looking at it, checks every field of the
 * copy, and gives up on a ring whose sequence numbers make no sense.
 *
 * Layout rules are those of include/nstaint/events.h: fixed-size
 * fields, naturally aligned, no implicit padding (selftests/abi checks
 * every offset), fields only ever appended into the reserved space; a
 * change of size or meaning bumps MN_RING_VERSION.
 */
#ifndef NSTAINT_MN_RING_H
#define NSTAINT_MN_RING_H

#if !defined(__VMLINUX_H__)
#include <linux/types.h>
#endif
#include <nstaint/events.h>

#define MN_RING_MAGIC		0x676e726dU	/* "mrng" */
#define MN_RING_VERSION		1
#define MN_RING_HDR_SIZE	4096		/* records start here */
#define MN_RING_STACK		16		/* PCs kept per stack */
#define MN_RING_MSG		128		/* bytes of text, NUL included */
#define MN_RING_NREC_MIN	16
#define MN_RING_NREC_MAX	(1U << 16)	/* 40 MiB of records */

/* The first page of the file. */
struct mn_ring_hdr {
	__u32 magic;		/* MN_RING_MAGIC */
	__u32 version;		/* MN_RING_VERSION */
	__u32 hdr_size;		/* MN_RING_HDR_SIZE */
	__u32 rec_size;		/* sizeof(struct mn_ring_rec) */
	__u32 nrec;		/* record slots: a power of two */
	__u32 pid;		/* the process that made the ring */
	__u64 reserved0[5];
	/* Written by the writers (a cache line of their own). */
	__u64 head;		/* the next index to take */
	__u64 lost;		/* records dropped because the ring was full */
	__u64 reserved1[6];
	/* Written by the reader. */
	__u64 tail;		/* the next index it reads */
	__u32 reader;		/* its pid; 0: none */
	__u32 reserved2;
	__u64 reserved3[6];
};

enum mn_ring_kind {
	MN_RING_NONE = 0,
	MN_RING_DATA_RACE,	/* two accesses, at least one a write, unordered */
	MN_RING_RUNTIME_ERROR,	/* a fatal misuse: @code, @msg, the task's stack */
	MN_RING_TASK_LEAK,	/* at exit: a task still blocked */
	MN_RING_CTX_LEAK,	/* at exit: a context never cancelled */
	MN_RING_THREAD_RETIRED,	/* a thread left in another namespace, retired */
	MN_RING_KIND_COUNT,
};

/* MN_RING_RUNTIME_ERROR: which misuse (the stderr text says it too). */
enum mn_ring_error {
	MN_RING_ERR_OTHER = 0,		/* see @msg */
	MN_RING_ERR_SEND_CLOSED,	/* send on closed channel */
	MN_RING_ERR_CLOSE_CLOSED,	/* close of closed channel */
	MN_RING_ERR_CLOSE_NIL,		/* close of nil channel */
	MN_RING_ERR_UNLOCK_UNLOCKED,	/* unlock of unlocked (rw)mutex */
	MN_RING_ERR_COND_UNLOCKED,	/* cond wait with unlocked mutex */
	MN_RING_ERR_WG_NEGATIVE,	/* negative WaitGroup counter */
	MN_RING_ERR_WG_REUSE,		/* WaitGroup reused before Wait returned */
	MN_RING_ERR_DEADLOCK,		/* all tasks are asleep */
	MN_RING_ERR_OUTSIDE_TASK,	/* a task-only call made outside a task */
	MN_RING_ERR_COUNT,
};

/* Where a raced-on address lies (MN_RING_DATA_RACE @loc_kind). */
enum mn_ring_loc {
	MN_RING_LOC_UNKNOWN = 0,
	MN_RING_LOC_HEAP,	/* block @loc_addr, @loc_size, allocated by @loc_task */
	MN_RING_LOC_GLOBAL,	/* a global of the program (nstaint names it) */
	MN_RING_LOC_STACK,	/* the stack of task @loc_task */
	MN_RING_LOC_TLS,	/* the TLS of thread @loc_tid */
	MN_RING_LOC_COUNT,
};

/* One memory access of a data race. */
struct mn_ring_access {
	__u64 addr;
	__u64 task_id;
	__u32 size;		/* bytes */
	__u32 flags;		/* MN_RING_ACC_* */
	__u32 tid;		/* the thread it ran on */
	__u32 depth;		/* PCs in @stack, innermost first */
	__u64 stack[MN_RING_STACK];	/* return addresses: [0] that of the
					 * access's instrumentation call */
};

#define MN_RING_ACC_WRITE	1U
#define MN_RING_ACC_ATOMIC	2U
#define MN_RING_ACC_NO_STACK	4U	/* the history had lost it */
#define MN_RING_ACC_FLAGS	7U

struct mn_ring_race {
	struct mn_ring_access cur;	/* the access that found the race */
	struct mn_ring_access prev;	/* the earlier, unordered one */
	__u32 loc_kind;			/* enum mn_ring_loc */
	__u32 loc_tid;
	__u64 loc_addr;
	__u64 loc_size;
	__u64 loc_task;
	__u32 loc_depth;		/* PCs in @loc_stack: where allocated */
	__u32 reserved;
	__u64 loc_stack[MN_RING_STACK];
};

struct mn_ring_error_rec {
	__u32 code;			/* enum mn_ring_error */
	__u32 depth;			/* PCs in @stack */
	__u64 stack[MN_RING_STACK];
	char msg[MN_RING_MSG];		/* the stderr text, NUL-terminated */
};

/* MN_RING_TASK_LEAK and MN_RING_CTX_LEAK. */
struct mn_ring_leak {
	__u64 creator;			/* the task that made it */
	__u32 depth;			/* PCs in @stack: where it was made */
	__u32 reserved;
	__u64 stack[MN_RING_STACK];
	char msg[MN_RING_MSG];		/* e.g. what the task blocks in */
};

struct mn_ring_retired {
	__u32 thread;			/* the retired thread's tid */
	__u32 ns_mask;			/* NSTAINT_NS_BIT()s of @ns_old/@ns_new */
	__u32 ns_old[NSTAINT_NS_COUNT];	/* inodes; 0 unknown */
	__u32 ns_new[NSTAINT_NS_COUNT];
};

struct mn_ring_rec {
	__u64 seq;		/* the protocol's, above */
	__u64 time_ns;		/* CLOCK_MONOTONIC (BPF's ktime) */
	__u32 kind;		/* enum mn_ring_kind */
	__u32 pid;		/* the writer's process and thread */
	__u32 tid;
	__u32 flags;		/* none yet: 0 */
	__u64 task_id;		/* the task the report is about; 0 none */
	union {
		struct mn_ring_race race;
		struct mn_ring_error_rec error;
		struct mn_ring_leak leak;
		struct mn_ring_retired retired;
		__u8 body[600];	/* the size of every kind, room to grow */
	};
};

#endif
