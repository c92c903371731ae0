// SPDX-License-Identifier: GPL-2.0-only
/* Slot histories: writing parts and replaying them (trace.h). */
#include <string.h>

#include "slot.h"
#include "trace.h"

struct trace {
	uint32_t nparts;
	uint32_t cur;
	uint64_t gen;
	struct trace_part part[];
};

static uint32_t nparts = 8;

void trace_configure(unsigned history_size)
{
	if (history_size > 10)
		history_size = 10;
	nparts = 1u << history_size;
}

struct trace_part *trace_next(struct task *t)
{
	struct slot *s = t->slot < SLOT_MAX ? &mnr_slots[t->slot] : NULL;
	struct trace *tr;
	struct trace_part *p;
	uint32_t depth;

	if (unlikely(t->slot >= SLOT_MAX)) {	/* an ended thread's stand-in */
		t->tpart->pos = 0;
		t->tpart->stale = 0;
		return t->tpart;
	}
	tr = s->trace;
	if (!tr) {
		tr = rt_mmap(sizeof(*tr) + (size_t)nparts * sizeof(struct trace_part));
		tr->nparts = nparts;
		tr->cur = nparts - 1;
		s->trace = tr;
	}
	tr->cur = (tr->cur + 1) % tr->nparts;
	p = &tr->part[tr->cur];
	__atomic_store_n(&p->seq, p->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&p->pos, 0, __ATOMIC_RELAXED);
	p->stale = 0;
	p->gen = ++tr->gen;
	p->task = t->id;
	p->epoch = t->epoch;
	p->depth = t->depth;
	depth = t->depth < STACK_MAX ? t->depth : STACK_MAX;
	memcpy(p->stack, t->stk, depth * sizeof(*p->stack));
	__atomic_store_n(&p->seq, p->seq + 1, __ATOMIC_RELEASE);
	t->tpart = p;
	return p;
}

void trace_attach(struct task *t)
{
	struct trace *tr = mnr_slots[t->slot].trace;
	uint32_t depth = t->depth < STACK_MAX ? t->depth : STACK_MAX;
	struct trace_part *p;
	uint64_t *w;

	if (!tr || (p = &tr->part[tr->cur])->pos + 2 + depth > PART_WORDS) {
		trace_next(t);
		return;
	}
	w = &p->ev[p->pos];
	w[0] = ev_word(EV_TASK, 0, 0, t->id);
	w[1] = (uint64_t)t->epoch | (uint64_t)t->depth << 32;
	memcpy(w + 2, t->stk, depth * sizeof(*w));
	__atomic_store_n(&p->pos, p->pos + 2 + depth, __ATOMIC_RELEASE);
	t->tpart = p;
}

/* One part replayed: the last matching access in it, if any. */
struct match {
	uint64_t gen;
	uint32_t task;
	int n;
	uintptr_t pcs[REPORT_FRAMES];
};

static bool overlaps(uintptr_t a, uint64_t an, uintptr_t b, uint64_t bn)
{
	return a < b + bn && b < a + an;
}

static void replay(const struct trace_part *p, uint32_t epoch, uintptr_t addr,
		   uint32_t size, bool is_write, struct match *m)
{
	uintptr_t stack[STACK_MAX];
	uint32_t depth = p->depth, e = p->epoch, task = p->task;

	memcpy(stack, p->stack, (depth < STACK_MAX ? depth : STACK_MAX) * sizeof(*stack));
	for (uint32_t i = 0; i < p->pos;) {
		uint64_t w = p->ev[i];
		uint64_t kind = w >> 60, flags = (w >> 56) & 0xf;
		uintptr_t pc = w & EV_PC_MASK, a = 0;
		uint64_t n = 0;

		switch (kind) {
		case EV_ENTRY:
			if (depth < STACK_MAX)
				stack[depth] = pc;
			depth++;
			i++;
			continue;
		case EV_EXIT:
			if (depth)
				depth--;
			i++;
			continue;
		case EV_EPOCH:
			e = pc;
			i++;
			continue;
		case EV_TASK: {
			uint32_t d;

			if (i + 2 > p->pos)
				return;
			task = pc;
			e = (uint32_t)p->ev[i + 1];
			depth = p->ev[i + 1] >> 32;
			d = depth < STACK_MAX ? depth : STACK_MAX;
			if (i + 2 + d > p->pos)
				return;
			memcpy(stack, &p->ev[i + 2], d * sizeof(*stack));
			i += 2 + d;
			continue;
		}
		case EV_ACC:
			if (i + 2 > p->pos)
				return;
			a = p->ev[i + 1];
			n = (w >> 48) & 0xff;
			i += 2;
			break;
		case EV_RANGE:
			if (i + 3 > p->pos)
				return;
			a = p->ev[i + 1];
			n = p->ev[i + 2];
			i += 3;
			break;
		default:
			return;	/* torn: the copy raced with a reset */
		}
		if (e != epoch || !!(flags & EVF_WRITE) != is_write ||
		    !overlaps(a, n, addr, size))
			continue;
		/* Innermost first: the access, then the callers. */
		m->gen = p->gen;
		m->task = task;
		m->n = 0;
		m->pcs[m->n++] = pc;
		for (uint32_t d = depth < STACK_MAX ? depth : STACK_MAX;
		     d > 0 && m->n < REPORT_FRAMES; d--)
			m->pcs[m->n++] = stack[d - 1];
	}
}

int trace_restore(uint32_t slot, uint32_t epoch, uintptr_t addr, uint32_t size,
		  bool is_write, uintptr_t *pcs, int max, uint32_t *task)
{
	struct trace *tr = slot < SLOT_MAX ? mnr_slots[slot].trace : NULL;
	struct trace_part *copy;
	struct match best = { 0 }, m;

	if (!tr)
		return 0;
	copy = rt_alloc(sizeof(*copy));
	for (uint32_t i = 0; i < tr->nparts; i++) {
		struct trace_part *p = &tr->part[i];
		uint64_t s1 = __atomic_load_n(&p->seq, __ATOMIC_ACQUIRE);
		uint32_t pos;

		if (s1 == 0 || (s1 & 1))
			continue;
		pos = __atomic_load_n(&p->pos, __ATOMIC_ACQUIRE);
		memcpy(copy, p, offsetof(struct trace_part, ev) + pos * sizeof(uint64_t));
		copy->pos = pos;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (__atomic_load_n(&p->seq, __ATOMIC_RELAXED) != s1)
			continue;
		if (copy->epoch > epoch)
			continue;	/* starts after the access */
		m.n = 0;
		replay(copy, epoch, addr, size, is_write, &m);
		if (m.n && m.gen > best.gen)
			best = m;
	}
	rt_free(copy);
	if (!best.n)
		return 0;
	if (best.n > max)
		best.n = max;
	memcpy(pcs, best.pcs, best.n * sizeof(*pcs));
	*task = best.task;
	return best.n;
}
