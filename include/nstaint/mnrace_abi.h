/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What libmn tells mnrace (docs/mnrace.md, "libmn"): the life of its
 * tasks and its happens-before edges.  mnrace defines mnrace_libmn_abi;
 * libmn refers to it weakly, so in a program without mnrace its address
 * is 0 and each hook costs a test of it (user/libmn/race.h).  Addresses
 * name synchronisation objects, as in TSan's __tsan_acquire/release.
 */
#ifndef NSTAINT_MNRACE_ABI_H
#define NSTAINT_MNRACE_ABI_H

#include <stddef.h>
#include <stdint.h>

struct mnrace_libmn_abi {
	/* A task is being created by the calling one (spawned at @pc): its
	 * handle, holding the creator's clock (the spawn edge). */
	void *(*task_create)(uintptr_t pc);
	/* The calling thread now runs @task (one store, no edge), on the
	 * stack [stack_lo, stack_hi); NULL: its own scheduler code again. */
	void (*task_switch)(void *task, uintptr_t stack_lo, uintptr_t stack_hi);
	/* @task ended (not running); its stack will be handed on. */
	void (*task_end)(void *task, uintptr_t stack_lo, uintptr_t stack_hi);
	/* The object's clock joins the calling task's (acquire), the task's
	 * joins the object's (release) or replaces it (release_store). */
	void (*acquire)(const void *addr);
	void (*release)(const void *addr);
	void (*release_store)(const void *addr);
	/* [addr, addr + n) is read or written by the calling task, on behalf
	 * of its call at @pc (mn_read's and mn_write's buffers). */
	void (*access)(const void *addr, size_t n, int is_write, uintptr_t pc);
};

extern const struct mnrace_libmn_abi mnrace_libmn_abi __attribute__((weak));

struct mn_ring_rec;

/*
 * What mnrace asks of libmn (user/libmn/ring.c): put @rec on the
 * process's report ring (include/nstaint/mn_ring.h), made now if the
 * runtime never started.  The caller fills kind, tid, task_id and the
 * body; libmn sets pid and the time.  Never waits.  0, -ENOSPC (ring
 * full: counted in its lost), -ENODEV (no ring: MN_RING=0, a forked
 * child).  mnrace refers to it weakly: 0 in a program without libmn.
 */
int mn_ring_report(struct mn_ring_rec *rec)
	__attribute__((weak, visibility("default")));

#endif
