/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The runtime contract between libmn and nstaint (design.md, "Runtime
 * contract"): how an observer that is not part of the process learns which
 * libmn task runs on each thread and whether it is locked to it, without
 * the runtime making a system call on its hot path.
 *
 *  - Every libmn thread owns one struct mn_abi_slot, at a fixed address for
 *    the thread's life.  The thread itself updates it with plain stores
 *    when it switches tasks.  A reader that looks while the thread is off
 *    CPU (BPF at sched_switch, for the outgoing thread) sees a consistent
 *    slot; a reader on another CPU may see a slot in the middle of an
 *    update, and uses @seq (odd = being written) to tell.
 *  - The exported object mn_nstaint_registry lists every live thread's
 *    slot address and tid, so a tool that attaches late can find the slots
 *    of threads that started before it by reading process memory at the
 *    symbol's address (ELF symbol table + load address from maps).
 *  - USDT probes (provider "libmn") announce the same facts as events:
 *    thread_start(tid, slot address) and the others listed in docs/libmn.md.
 *
 * Layout rules are those of include/nstaint/events.h: fixed-size fields,
 * no implicit padding, only ever appended; a change of size or meaning
 * bumps MN_ABI_VERSION.
 */
#ifndef NSTAINT_MN_ABI_H
#define NSTAINT_MN_ABI_H

#if !defined(__VMLINUX_H__)
#include <linux/types.h>
#endif

#define MN_ABI_VERSION		2
#define MN_ABI_SLOT_MAGIC	0x6d6e736cU	/* "mnsl" */
#define MN_ABI_REG_MAGIC	0x6d6e7267U	/* "mnrg" */
#define MN_ABI_MAX_THREADS	4096

/* Per-thread slot, written only by its own thread. */
struct mn_abi_slot {
	__u32 magic;		/* MN_ABI_SLOT_MAGIC once initialised */
	__u32 version;		/* MN_ABI_VERSION */
	__u32 tid;		/* kernel tid of the thread owning the slot */
	__u32 locked;		/* lock depth of the running task (0 = unlocked) */
	__u64 task_id;		/* running task id; 0 = none (scheduler) */
	__u64 seq;		/* bumped before and after each update: odd = busy */
	__u64 switches;		/* task switches done by this thread */
};

/* One registry entry; slot_addr 0 = free entry. */
struct mn_abi_thread {
	__u64 slot_addr;	/* address of the thread's struct mn_abi_slot */
	__u32 tid;
	__u32 flags;		/* MN_ABI_THREAD_* */
};

#define MN_ABI_THREAD_TEMPLATE	1U	/* the clean thread that clones all Ms */
#define MN_ABI_THREAD_SYSMON	2U	/* monitor thread, never runs tasks */

/*
 * Where the process's report ring is (include/nstaint/mn_ring.h): @addr
 * is stored last, with a release, once @fd and @nrec are; 0 = no ring
 * (MN_RING=0, or it could not be made).  Set once, at start.
 */
struct mn_abi_ring {
	__u64 addr;		/* where the process mapped it */
	__s32 fd;		/* the memfd: /proc/PID/fd/FD */
	__u32 nrec;		/* its records */
};

/* Exported as mn_nstaint_registry by libmn.so / libmn.a. */
struct mn_abi_registry {
	__u32 magic;		/* MN_ABI_REG_MAGIC */
	__u32 version;		/* MN_ABI_VERSION */
	__u32 max_threads;	/* MN_ABI_MAX_THREADS */
	__u32 nr_used;		/* entries [0, nr_used) may be in use */
	__u64 generation;	/* odd while an entry is being changed */
	__u64 overflow;		/* threads that found no free entry */
	struct mn_abi_thread threads[MN_ABI_MAX_THREADS];
	struct mn_abi_ring ring;	/* from version 2 */
};

#endif
