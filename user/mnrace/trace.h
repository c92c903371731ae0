/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The history of a slot: what its tasks did, enough to rebuild the stack
 * of an earlier access named by a shadow cell (slot, epoch, bytes).
 *
 * A trace is a ring of parts.  A part starts with a snapshot of the
 * writing task's shadow call stack and epoch, then holds events: function
 * entry and exit, epoch changes, and the accesses that were stored in a
 * cell (address, size, pc).  A task taking the slot over (a new task, or
 * one whose slot was taken while it did not run) goes on in the same
 * part after an EV_TASK event, which holds the same snapshot: short
 * stints of many tasks do not each use up a part.  Replaying a part from its snapshot gives the
 * stack at each access.  When the ring has come round over the part that
 * held an access, its stack is gone: the report says so.
 *
 * Only the slot's current task writes; a report reads concurrently, and a
 * part's sequence number (odd while it is being reset) tells the reader
 * that what it copied was overwritten meanwhile.
 */
#ifndef MNRACE_TRACE_H
#define MNRACE_TRACE_H

#include <stdbool.h>
#include <stdint.h>

#include "sample.h"
#include "task.h"

#define PART_WORDS	2048

#define EV_ENTRY	1ULL	/* pc */
#define EV_EXIT		2ULL
#define EV_ACC		3ULL	/* pc, size, flags; next word: address */
#define EV_RANGE	4ULL	/* pc, flags; next words: address, size */
#define EV_EPOCH	5ULL	/* new epoch */
#define EV_TASK		6ULL	/* task id; next word: epoch | depth << 32;
				 * then min(depth, STACK_MAX) return addresses */
#define EVF_WRITE	1ULL
#define EVF_ATOMIC	2ULL
#define EV_PC_MASK	((1ULL << 48) - 1)

static inline uint64_t ev_word(uint64_t kind, uint64_t flags, uint64_t size,
			       uint64_t val)
{
	return kind << 60 | flags << 56 | (size & 0xff) << 48 | (val & EV_PC_MASK);
}

struct trace_part {
	uint64_t seq;		/* odd while being reset */
	uint64_t gen;		/* order of parts in time (per trace) */
	uint32_t task;
	uint32_t epoch;		/* at the start of the part */
	uint32_t depth;
	uint32_t pos;		/* words of ev[] written */
	uint32_t stale;		/* calls were left out since (outside a sampled
				 * window): the next event starts a new part,
				 * whose snapshot is right again; the writer's */
	uintptr_t stack[STACK_MAX];
	uint64_t ev[PART_WORDS];
};

/* Start a fresh part. */
struct trace_part *trace_next(struct task *t);
/* @t has just taken its slot: its snapshot goes on in the slot's current
 * part, or a fresh part when that one has no room for it. */
void trace_attach(struct task *t);

static inline void trace_put(struct task *t, const uint64_t *w, uint32_t n)
{
	struct trace_part *p = t->tpart;
	uint32_t pos = p->pos;

	if (unlikely(pos + n > PART_WORDS) || unlikely(p->stale)) {
		p = trace_next(t);
		pos = 0;
	}
	for (uint32_t i = 0; i < n; i++)
		p->ev[pos + i] = w[i];
	__atomic_store_n(&p->pos, pos + n, __ATOMIC_RELEASE);
}

static inline void trace_access(struct task *t, uintptr_t pc, uintptr_t addr,
				uint32_t size, bool is_write, bool is_atomic)
{
	uint64_t w[2] = {
		ev_word(EV_ACC, (is_write ? EVF_WRITE : 0) |
			(is_atomic ? EVF_ATOMIC : 0), size, pc),
		addr,
	};

	trace_put(t, w, 2);
}

static inline void trace_range(struct task *t, uintptr_t pc, uintptr_t addr,
			       uint64_t size, bool is_write)
{
	uint64_t w[3] = {
		ev_word(EV_RANGE, is_write ? EVF_WRITE : 0, 0, pc), addr, size,
	};

	trace_put(t, w, 3);
}

/*
 * A call, a return or a new epoch.  Only in a sampled window (sample.h):
 * the history gives stacks to stored accesses, and outside a window none
 * is stored.  There the part is marked stale instead, and the next event
 * (an access of a window, a mark of malloc or free) starts a new part
 * from the shadow stack and epoch, which are always kept.
 */
static inline void trace_word(struct task *t, uint64_t kind, uint64_t val)
{
	uint64_t w = ev_word(kind, 0, 0, val);

	if (unlikely(!sample_now())) {
		t->tpart->stale = 1;
		return;
	}
	trace_put(t, &w, 1);
}

/* Set the number of parts per slot: 2^history_size (options). */
void trace_configure(unsigned history_size);

/*
 * The stack (innermost first, at most @max frames) of the access by
 * @slot at @epoch to the bytes [addr, addr + size) (is_write as given);
 * *task: who made it.  0 when the history no longer holds it.
 */
int trace_restore(uint32_t slot, uint32_t epoch, uintptr_t addr, uint32_t size,
		  bool is_write, uintptr_t *pcs, int max, uint32_t *task);

#endif
