// SPDX-License-Identifier: GPL-2.0-only
/* Tasks: creation, start, end, clocks, and what reports know of them. */
#include <execinfo.h>
#include <link.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "depot.h"
#include "fork.h"
#include "init.h"
#include "instr.h"
#include "sample.h"
#include "shadow.h"
#include "slot.h"
#include "task.h"
#include "trace.h"

__thread struct task *mnr_cur;
__thread int mnr_in_rt;

static uint32_t next_id = 1;
static size_t tls_static;	/* bytes of static TLS below the thread pointer */

static int add_tls(struct dl_phdr_info *info, size_t size, void *arg)
{
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type == PT_TLS) {
			size_t al = ph->p_align ? ph->p_align : 1;

			tls_static += (ph->p_memsz + al - 1) / al * al;
		}
	}
	return 0;
}

void task_init(void)
{
	dl_iterate_phdr(add_tls, NULL);
	task_info_init();
}

struct task *task_new(uint32_t parent, uint32_t create_stack)
{
	struct task *t = rt_alloc(sizeof(*t));
	struct task_info ti = { .parent = parent, .create_stack = create_stack };

	t->id = __atomic_fetch_add(&next_id, 1, __ATOMIC_RELAXED);
	task_info_set(t->id, &ti);
	return t;
}

static uintptr_t thread_pointer(void)
{
	uintptr_t tp;

	__asm__("mov %%fs:0, %0" : "=r"(tp));
	return tp;
}

/* A slot for @t, its epoch there in its clock, a history part. */
static void task_attach(struct task *t)
{
	uint32_t slot = slot_take(t);

	t->prev_known = vc_get(&t->vc, slot);
	task_set_epoch(t, slot, mnr_slots[slot].epoch);
	t->slot_base = t->epoch;
	vc_set(&t->vc, t->slot, t->epoch);
	trace_attach(t);
}

void task_reattach(struct task *t)
{
	mnr_in_rt++;
	task_attach(t);
	mnr_in_rt--;
}

/*
 * Make @t, which has not run, the current task of this thread: a slot, a
 * history part, and what reports say about it (stack and TLS ranges,
 * zero: none).  @fresh: the ranges held someone else's accesses, which
 * are not @t's business, so their shadow is reset.
 */
static void task_begin(struct task *t, const struct task_info *where, bool fresh)
{
	struct task_info ti = { 0 };

	mnr_in_rt++;
	t->stk = rt_alloc(STACK_MAX * sizeof(*t->stk));
	task_attach(t);

	task_info_get(t->id, &ti);
	ti.tid = syscall(SYS_gettid);
	ti.alive = true;
	ti.stack_lo = where->stack_lo;
	ti.stack_hi = where->stack_hi;
	ti.tls_lo = where->tls_lo;
	ti.tls_hi = where->tls_hi;
	if (fresh) {
		shadow_reset(ti.stack_lo, ti.stack_hi - ti.stack_lo);
		shadow_reset(ti.tls_lo, ti.tls_hi - ti.tls_lo);
	}
	task_info_set(t->id, &ti);
	mnr_cur = t;
	mnr_in_rt--;
}

void task_start(struct task *t)
{
	struct task_info where = { 0 }, ti = { 0 };
	pthread_attr_t attr;

	mnr_in_rt++;	/* pthread_getattr_np allocates */
	if (!pthread_getattr_np(pthread_self(), &attr)) {
		void *lo;
		size_t sz;

		if (!pthread_attr_getstack(&attr, &lo, &sz)) {
			where.stack_lo = (uintptr_t)lo;
			where.stack_hi = (uintptr_t)lo + sz;
		}
		pthread_attr_destroy(&attr);
	}
	mnr_in_rt--;
	where.tls_hi = thread_pointer();
	where.tls_lo = where.tls_hi - tls_static - 64;
	/*
	 * glibc hands an ended thread's stack (and the static TLS in it) to
	 * the next thread: what the last one did there is not this task's
	 * business.  An adopted thread (the main one) keeps its shadow: it
	 * may have run instrumented code already.
	 */
	task_info_get(t->id, &ti);
	task_begin(t, &where, ti.parent != 0);
}

void task_start_on(struct task *t, uintptr_t stack_lo, uintptr_t stack_hi)
{
	struct task_info where = { .stack_lo = stack_lo, .stack_hi = stack_hi };

	task_begin(t, &where, false);
}

/* The clock the thread's task ended with (task_leave_clock). */
static __thread struct vclock *last_vc;

void task_leave_clock(const struct vclock *vc)
{
	if (!last_vc)
		last_vc = rt_alloc(sizeof(*last_vc));
	vc_copy(last_vc, vc);
}

/*
 * What a thread runs as after its task ended (TLS destructors, cleanup
 * handlers): accesses are not checked there (mnr_in_rt stays set), but
 * shadow stack and sync calls need somewhere to go.  It holds no slot, so
 * its history part only ever restarts (trace_next).  It releases the
 * clock its thread's task ended with (what a destructor publishes comes
 * after the task), and acquires nothing, so its clock never grows.
 */
static struct task *dead_task(void)
{
	struct task *t = rt_alloc(sizeof(*t));

	task_set_epoch(t, SLOT_MAX, 1);
	t->stk = rt_alloc(STACK_MAX * sizeof(*t->stk));
	t->tpart = rt_alloc(sizeof(*t->tpart));
	if (last_vc)
		vc_copy(&t->vc, last_vc);
	mnr_cur = t;
	return t;
}

struct task *task_adopt(void)
{
	struct task *t;

	/* Instrumented code before __tsan_init (another constructor). */
	if (unlikely(!mnr_ready())) {
		mnr_init_early();
		if (mnr_cur)
			return mnr_cur;
	}
	if (unlikely(mnr_in_rt))
		return dead_task();
	t = task_new(0, 0);
	task_start(t);
	return t;
}

void task_end(struct task *t)
{
	slot_put(t);
	task_info_retire(t->id);
	if (mnr_cur == t)
		mnr_cur = NULL;
}

void task_free(struct task *t)
{
	task_info_retire(t->id);	/* a task that never started too */
	vc_free(&t->vc);
	vc_free(&t->exit_vc);
	rt_free(t->stk);
	rt_free(t);
}

static bool dead(const struct task *t)
{
	return unlikely(t->slot >= SLOT_MAX);
}

void task_tick(struct task *t)
{
	if (dead(t))
		return;
	task_set_epoch(t, t->slot, t->epoch + 1);
	t->vc.e[t->slot] = t->epoch;
	trace_word(t, EV_EPOCH, t->epoch);
	sample_event();		/* a release: a tick of the sampling clock */
}

void task_acquire(struct task *t, const struct vclock *src)
{
	if (dead(t))
		return;
	/* What it learns of its slot's earlier owners, before the join
	 * covers it with its own epoch. */
	if (t->slot < src->n && src->e[t->slot] > t->prev_known &&
	    src->e[t->slot] < t->slot_base)
		t->prev_known = src->e[t->slot];
	vc_join(&t->vc, src);
	/* Never behind itself (a clock released by its slot's previous owner). */
	t->vc.e[t->slot] = t->epoch;
}

void task_release(struct task *t, struct vclock *dst)
{
	vc_join(dst, &t->vc);
	task_tick(t);	/* nothing for a dead task: no slot */
}

void task_release_store(struct task *t, struct vclock *dst)
{
	vc_copy(dst, &t->vc);
	task_tick(t);
}

/*
 * @pc is in uninstrumented code (libstdc++'s std::thread calling
 * pthread_create): the frames between it and the instrumented caller are
 * on no shadow stack, so they are unwound (glibc's backtrace, from
 * .eh_frame), up to the first instrumented one; the shadow stack follows.
 * The interceptor @fn comes first, as its own frame (scope.h).
 */
uint32_t task_stack_id_unwound(struct task *t, uintptr_t pc, const void *fn)
{
	void *bt[REPORT_FRAMES];
	uintptr_t pcs[REPORT_FRAMES];
	uint32_t n = 0, d = t->depth < STACK_MAX ? t->depth : STACK_MAX;
	int nb, i = 0;

	pcs[n++] = (uintptr_t)fn + 1;
	if (!pc_instrumented(pc)) {
		mnr_in_rt++;
		nb = backtrace(bt, REPORT_FRAMES);
		mnr_in_rt--;
		for (i = 0; i < nb && (uintptr_t)bt[i] != pc; i++)
			;	/* the runtime's own frames */
		for (; i < nb && n < REPORT_FRAMES; i++) {
			pcs[n++] = (uintptr_t)bt[i];
			if (pc_instrumented((uintptr_t)bt[i]))
				break;
		}
		if (i == nb && n > 1)
			return depot_put(pcs, n);	/* no instrumented caller at all */
	}
	if (n == 1)	/* @pc instrumented, or not found among the frames */
		pcs[n++] = pc;
	for (; d > 0 && n < REPORT_FRAMES; d--)
		pcs[n++] = t->stk[d - 1];
	return depot_put(pcs, n);
}

uint32_t task_stack_id(struct task *t, uintptr_t pc)
{
	uintptr_t pcs[REPORT_FRAMES];
	uint32_t n = 0, d = t->depth < STACK_MAX ? t->depth : STACK_MAX;

	pcs[n++] = pc;
	for (; d > 0 && n < REPORT_FRAMES; d--)
		pcs[n++] = t->stk[d - 1];
	return depot_put(pcs, n);
}
