// SPDX-License-Identifier: GPL-2.0-only
/*
 * The __tsan_atomic* family: the pass replaces every C11/C++ atomic
 * operation with one of these, so the runtime performs it (always with
 * sequential consistency: never weaker than asked) and records it.  An
 * atomic access is an access that races with plain accesses, never with
 * other atomics.  Edges by memory order (0 relaxed, 1 consume, 2 acquire,
 * 3 release, 4 acq_rel, 5 seq_cst):
 *   - a load (or the read half of an RMW) with consume/acquire/acq_rel/
 *     seq_cst acquires the variable's clock;
 *   - a store with release/seq_cst replaces the clock with the task's;
 *   - an RMW with release/acq_rel/seq_cst joins into it (a release
 *     sequence: later RMWs keep earlier releases visible);
 *   - relaxed creates no edge.
 * The variable's object lock is held across the operation and the clock
 * work, so the clock read matches the value read.
 * Fences (__tsan_atomic_thread_fence) are performed and create no edge.
 */
#include <stdbool.h>
#include <stdint.h>

#include "access.h"
#include "slot.h"
#include "sync.h"

typedef int8_t a8;
typedef int16_t a16;
typedef int32_t a32;
typedef int64_t a64;
typedef __int128 a128;

static inline bool mo_acquire(int mo)
{
	return mo == 1 || mo == 2 || mo == 4 || mo == 5;
}

static inline bool mo_release(int mo)
{
	return mo == 3 || mo == 4 || mo == 5;
}

enum op_kind { OP_LOAD, OP_STORE, OP_RMW };

/* Before the operation: the access, and the sync object if one is needed. */
static inline struct sync *atomic_begin(struct task *t, const volatile void *a,
					uint32_t n, enum op_kind k, int mo,
					uintptr_t pc)
{
	access_small(t, (uintptr_t)a, n, k != OP_LOAD, true, pc);
	/* The runtime's own work makes no edge; code after a thread's task
	 * ended (a dead task, task.c) releases what that task did. */
	if (unlikely(mnr_in_rt) && t->slot < SLOT_MAX)
		return NULL;
	if ((k == OP_LOAD && !mo_acquire(mo)) ||
	    (k == OP_STORE && !mo_release(mo)) ||
	    (k == OP_RMW && !mo_acquire(mo) && !mo_release(mo)))
		return NULL;
	return sync_lock((uintptr_t)a);
}

/* After it: the edges of @mo (for a failed CAS, of the failure order). */
static inline void atomic_end(struct task *t, struct sync *s, enum op_kind k, int mo)
{
	if (!s)
		return;
	if (k != OP_STORE && mo_acquire(mo))
		task_acquire(t, &s->clock);
	if (k == OP_STORE && mo_release(mo))
		task_release_store(t, &s->clock);
	else if (k == OP_RMW && mo_release(mo))
		task_release(t, &s->clock);
	sync_unlock(s);
}

/* The 128-bit forms go through cmpxchg16b (-mcx16), for every operation. */
static inline a128 cas128(volatile a128 *a, a128 c, a128 v)
{
	return __sync_val_compare_and_swap(a, c, v);
}

#define DO_LOAD(T, a)		__atomic_load_n(a, __ATOMIC_SEQ_CST)
#define DO_STORE(T, a, v)	__atomic_store_n(a, v, __ATOMIC_SEQ_CST)
#define DO_XCHG(T, a, v)	__atomic_exchange_n(a, v, __ATOMIC_SEQ_CST)
#define DO_ADD(T, a, v)		__atomic_fetch_add(a, v, __ATOMIC_SEQ_CST)
#define DO_SUB(T, a, v)		__atomic_fetch_sub(a, v, __ATOMIC_SEQ_CST)
#define DO_AND(T, a, v)		__atomic_fetch_and(a, v, __ATOMIC_SEQ_CST)
#define DO_OR(T, a, v)		__atomic_fetch_or(a, v, __ATOMIC_SEQ_CST)
#define DO_XOR(T, a, v)		__atomic_fetch_xor(a, v, __ATOMIC_SEQ_CST)
#define DO_NAND(T, a, v)	__atomic_fetch_nand(a, v, __ATOMIC_SEQ_CST)
#define DO_CAS(T, a, c, v)	__sync_val_compare_and_swap(a, c, v)

/* 128 bits: everything as a compare-and-swap loop. */
#define RMW128(a, expr)							\
	({ a128 o_ = cas128(a, 0, 0), n_;				\
	   for (;;) { a128 x_ = o_; n_ = (expr); a128 r_ = cas128(a, x_, n_); \
		      if (r_ == x_) break; o_ = r_; }			\
	   o_; })

#define ATOMIC_FAMILY(N, T, LOAD, STORE, XCHG, ADD, SUB, AND, OR, XOR, NAND, CAS) \
MNR_EXPORT __attribute__((noinline)) T __tsan_atomic##N##_load(const volatile T *a, int mo) \
{									\
	struct task *t = task_cur();					\
	struct sync *s = atomic_begin(t, a, sizeof(T), OP_LOAD, mo, MNR_PC()); \
	T v = LOAD(T, (volatile T *)a);					\
	atomic_end(t, s, OP_LOAD, mo);					\
	return v;							\
}									\
MNR_EXPORT __attribute__((noinline)) void __tsan_atomic##N##_store(volatile T *a, T v, int mo) \
{									\
	struct task *t = task_cur();					\
	struct sync *s = atomic_begin(t, a, sizeof(T), OP_STORE, mo, MNR_PC()); \
	STORE(T, a, v);							\
	atomic_end(t, s, OP_STORE, mo);					\
}									\
ATOMIC_RMW(N, T, exchange, XCHG)					\
ATOMIC_RMW(N, T, fetch_add, ADD)					\
ATOMIC_RMW(N, T, fetch_sub, SUB)					\
ATOMIC_RMW(N, T, fetch_and, AND)					\
ATOMIC_RMW(N, T, fetch_or, OR)						\
ATOMIC_RMW(N, T, fetch_xor, XOR)					\
ATOMIC_RMW(N, T, fetch_nand, NAND)					\
MNR_EXPORT __attribute__((noinline)) T __tsan_atomic##N##_compare_exchange_val( \
	volatile T *a, T c, T v, int mo, int fmo)			\
{									\
	struct task *t = task_cur();					\
	struct sync *s = atomic_begin(t, a, sizeof(T), OP_RMW, mo_acquire(fmo) ? 5 : mo, MNR_PC()); \
	T o = CAS(T, a, c, v);						\
	if (o == c)							\
		atomic_end(t, s, OP_RMW, mo);				\
	else								\
		atomic_end(t, s, OP_LOAD, fmo);				\
	return o;							\
}									\
static inline int cas_##N(volatile T *a, T *c, T v, int mo, int fmo, uintptr_t pc) \
{									\
	struct task *t = task_cur();					\
	struct sync *s = atomic_begin(t, a, sizeof(T), OP_RMW, mo_acquire(fmo) ? 5 : mo, pc); \
	T e = *c, o = CAS(T, a, e, v);					\
	if (o == e) {							\
		atomic_end(t, s, OP_RMW, mo);				\
		return 1;						\
	}								\
	atomic_end(t, s, OP_LOAD, fmo);					\
	*c = o;								\
	return 0;							\
}									\
MNR_EXPORT __attribute__((noinline)) int __tsan_atomic##N##_compare_exchange_strong( \
	volatile T *a, T *c, T v, int mo, int fmo)			\
{									\
	return cas_##N(a, c, v, mo, fmo, MNR_PC());			\
}									\
/* Never failing spuriously is one way of being weak. */		\
MNR_EXPORT __attribute__((noinline)) int __tsan_atomic##N##_compare_exchange_weak( \
	volatile T *a, T *c, T v, int mo, int fmo)			\
{									\
	return cas_##N(a, c, v, mo, fmo, MNR_PC());			\
}

#define ATOMIC_RMW(N, T, name, OP)					\
MNR_EXPORT __attribute__((noinline)) T __tsan_atomic##N##_##name(volatile T *a, T v, int mo) \
{									\
	struct task *t = task_cur();					\
	struct sync *s = atomic_begin(t, a, sizeof(T), OP_RMW, mo, MNR_PC()); \
	T o = OP(T, a, v);						\
	atomic_end(t, s, OP_RMW, mo);					\
	return o;							\
}

ATOMIC_FAMILY(8, a8, DO_LOAD, DO_STORE, DO_XCHG, DO_ADD, DO_SUB, DO_AND, DO_OR, DO_XOR, DO_NAND, DO_CAS)
ATOMIC_FAMILY(16, a16, DO_LOAD, DO_STORE, DO_XCHG, DO_ADD, DO_SUB, DO_AND, DO_OR, DO_XOR, DO_NAND, DO_CAS)
ATOMIC_FAMILY(32, a32, DO_LOAD, DO_STORE, DO_XCHG, DO_ADD, DO_SUB, DO_AND, DO_OR, DO_XOR, DO_NAND, DO_CAS)
ATOMIC_FAMILY(64, a64, DO_LOAD, DO_STORE, DO_XCHG, DO_ADD, DO_SUB, DO_AND, DO_OR, DO_XOR, DO_NAND, DO_CAS)

#define L128(T, a)		RMW128(a, x_)
#define S128(T, a, v)		((void)RMW128(a, (v)))
#define X128(T, a, v)		RMW128(a, (v))
#define ADD128(T, a, v)		RMW128(a, x_ + (v))
#define SUB128(T, a, v)		RMW128(a, x_ - (v))
#define AND128(T, a, v)		RMW128(a, x_ & (v))
#define OR128(T, a, v)		RMW128(a, x_ | (v))
#define XOR128(T, a, v)		RMW128(a, x_ ^ (v))
#define NAND128(T, a, v)	RMW128(a, ~(x_ & (v)))
#define CAS128(T, a, c, v)	cas128(a, c, v)

ATOMIC_FAMILY(128, a128, L128, S128, X128, ADD128, SUB128, AND128, OR128, XOR128, NAND128, CAS128)

MNR_EXPORT void __tsan_atomic_thread_fence(int mo)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

MNR_EXPORT void __tsan_atomic_signal_fence(int mo)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}
