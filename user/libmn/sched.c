// SPDX-License-Identifier: GPL-2.0-only
/*
 * The G-M-P scheduler: run queues, finding work, parking and waking
 * threads, task creation and exit.  Structure and names follow Go's
 * runtime/proc.go (runqput, runqsteal, findrunnable, startm, handoffp,
 * stoplockedm, startlockedm) so a reader of one can read the other.
 *
 * Invariant: a thread runs scheduler code on its own pthread stack (the
 * M's g0); tasks switch to g0 with mn_mcall() and g0 finishes what they
 * asked (park, yield, exit) once their registers are saved.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <semaphore.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#ifdef MN_TSAN
#include <sanitizer/tsan_interface.h>
#endif
#ifdef MN_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

struct mn_sched mn_sched;
__thread struct mn_m *mn_tls_m;

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
/*
 * Posted by the template and sysmon threads once they are in
 * mn_nstaint_registry: the runtime is not handed out before both are, so
 * a tool reading the registry after start sees every runtime thread.
 */
static sem_t runtime_threads_up;
static uint32_t nextmid;

__attribute__((noinline)) struct mn_m *mn_getm(void)
{
	struct mn_m *m = mn_tls_m;
	__asm__ volatile("" : "+r"(m));
	return m;
}

int64_t mn_nanotime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t mn_now(void)
{
	return mn_nanotime();
}

/* ---- futexes and the internal lock ---- */

void mn_futex_wait(uint32_t *addr, uint32_t val, int64_t timeout_ns)
{
	struct timespec ts, *tp = NULL;

	if (timeout_ns >= 0) {
		ts.tv_sec = timeout_ns / 1000000000LL;
		ts.tv_nsec = timeout_ns % 1000000000LL;
		tp = &ts;
	}
	syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, tp, NULL, 0);
}

void mn_futex_wake(uint32_t *addr, int n)
{
	syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

static inline void cpu_relax(void)
{
	__builtin_ia32_pause();
}

/* Drepper's three-state mutex: 0 free, 1 locked, 2 locked with waiters. */
void mn_lk_lock_slow(uint32_t *l)
{
	uint32_t c;
	int i;

	for (i = 0; i < 64; i++) {
		cpu_relax();
		c = 0;
		if (__atomic_load_n(l, __ATOMIC_RELAXED) == 0 &&
		    __atomic_compare_exchange_n(l, &c, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return;
	}
	while (__atomic_exchange_n(l, 2, __ATOMIC_ACQUIRE) != 0)
		mn_futex_wait(l, 2, -1);
}

void mn_lk_wake(uint32_t *l)
{
	mn_futex_wake(l, 1);
}

void mn_unlock_lk(void *lk)
{
	mn_lk_unlock(lk);
}

static inline uint32_t fastrand(struct mn_p *p)
{
	/* xorshift64* */
	uint64_t x = p->rand;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	p->rand = x;
	return (uint32_t)((x * 0x2545F4914F6CDD1DULL) >> 32);
}

/* ---- stacks ---- */

static size_t pagesz;
static _Atomic long guarded_stacks;
static long guard_limit;
static _Atomic int guard_warned;
static uint32_t slab_lock;
static char *slab_next, *slab_end;

/*
 * Stacks are allocated when a task first runs, not when it is created,
 * so a million queued tasks cost a million small structs, not stacks.
 * Each stack has a PROT_NONE guard page below it, which costs two VMAs;
 * past half of vm.max_map_count (minus room for everyone else) we carve
 * unguarded stacks from large slabs instead of failing, and say so once.
 * Stacks are never unmapped: dead tasks keep theirs for reuse.
 */
static void stack_alloc(struct mn_g *g)
{
	size_t sz = mn_sched.stack_size, span = sz + pagesz;
	char *p;

	if (atomic_fetch_add(&guarded_stacks, 1) < guard_limit) {
		p = mmap(NULL, span, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
		if (p != MAP_FAILED && mprotect(p, pagesz, PROT_NONE) == 0)
			goto done;
		if (p != MAP_FAILED)
			munmap(p, span);
	}
	atomic_fetch_sub(&guarded_stacks, 1);
	if (!atomic_exchange(&guard_warned, 1))
		fprintf(stderr, "libmn: warning: %ld guarded task stacks reach vm.max_map_count: "
			"further stacks have no guard page\n", guard_limit);
	mn_lk_lock(&slab_lock);
	if (!slab_next || slab_next + span > slab_end) {
		size_t slab = span * 256;

		p = mmap(NULL, slab, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
		if (p == MAP_FAILED) {
			mn_lk_unlock(&slab_lock);
			mn_fatal("out of memory allocating task stacks: %s", strerror(errno));
		}
		slab_next = p;
		slab_end = p + slab;
	}
	p = slab_next;
	slab_next += span;
	mn_lk_unlock(&slab_lock);
done:
	g->stack = p;
	g->stack_size = sz;
}

/*
 * Stack cache: dead tasks give their stack back here rather than keep it,
 * so a burst of tasks that never overlap reuses a handful of stacks.  The
 * free list is threaded through the stacks' lowest usable word.
 */
#define STACK_CACHE 32
static uint32_t stackpool_lock;
static char *stackpool;

static void stack_put(struct mn_p *p, char *stk)
{
	if (p->nstacks < STACK_CACHE) {
		p->stacks[p->nstacks++] = stk;
		return;
	}
	mn_lk_lock(&stackpool_lock);
	while (p->nstacks > STACK_CACHE / 2) {
		char *x = p->stacks[--p->nstacks];

		*(char **)(x + pagesz) = stackpool;
		__atomic_store_n(&stackpool, x, __ATOMIC_RELAXED);
	}
	*(char **)(stk + pagesz) = stackpool;
	__atomic_store_n(&stackpool, stk, __ATOMIC_RELAXED);
	mn_lk_unlock(&stackpool_lock);
}

static void stack_get(struct mn_p *p, struct mn_g *g)
{
	if (!p->nstacks && __atomic_load_n(&stackpool, __ATOMIC_RELAXED)) {
		mn_lk_lock(&stackpool_lock);
		while (stackpool && p->nstacks < STACK_CACHE / 2) {
			p->stacks[p->nstacks++] = stackpool;
			__atomic_store_n(&stackpool, *(char **)(stackpool + pagesz), __ATOMIC_RELAXED);
		}
		mn_lk_unlock(&stackpool_lock);
	}
	if (p->nstacks) {
		g->stack = p->stacks[--p->nstacks];
		g->stack_size = mn_sched.stack_size;
		return;
	}
	stack_alloc(g);
}

static long read_max_map_count(void)
{
	FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
	long v = 65530;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = 65530;
		fclose(f);
	}
	return v;
}

static void g_prepare(struct mn_g *g)
{
	uintptr_t top = ((uintptr_t)g->stack + pagesz + g->stack_size) & ~(uintptr_t)15;
	uint64_t *sp = (uint64_t *)(top - 16 - 64);

	/* Frame popped by mn_ctx_switch: MXCSR/FCW, r15 r14 r13 r12 rbx rbp, ret. */
	sp[0] = 0x1f80 | ((uint64_t)0x037f << 32);
	sp[1] = sp[2] = sp[3] = 0;
	sp[4] = (uint64_t)(uintptr_t)g;	/* r12 */
	sp[5] = sp[6] = 0;
	sp[7] = (uint64_t)(uintptr_t)mn_task_entry;
	g->sp = sp;
}

/* ---- sanitizer-aware switch ---- */

static inline void switch_to(struct mn_g *from, struct mn_g *to, void **save, void *sp)
{
#ifdef MN_TSAN
	if (!to->tsan_fiber)
		to->tsan_fiber = __tsan_create_fiber(0);
	__tsan_switch_to_fiber(to->tsan_fiber, 0);
#endif
#ifdef MN_ASAN
	if (to->stack) {
		to->asan_bottom = to->stack + pagesz;
		to->asan_size = to->stack_size;
	}
	__sanitizer_start_switch_fiber(&from->asan_fake, to->asan_bottom, to->asan_size);
#endif
	mn_ctx_switch(save, sp);
#ifdef MN_ASAN
	__sanitizer_finish_switch_fiber(from->asan_fake, NULL, NULL);
#endif
	(void)from;
}

/* ---- slots and the registry (nstaint contract) ---- */

__attribute__((visibility("default"), used))
struct mn_abi_registry mn_nstaint_registry = {
	.magic = MN_ABI_REG_MAGIC,
	.version = MN_ABI_VERSION,
	.max_threads = MN_ABI_MAX_THREADS,
};
static uint32_t reg_lock;

void mn_m_publish(struct mn_m *m, uint64_t task, int locked)
{
	struct mn_abi_slot *s = &m->slot;
	uint64_t seq = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);

	__atomic_store_n(&s->seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&s->task_id, task, __ATOMIC_RELAXED);
	__atomic_store_n(&s->locked, (uint32_t)locked, __ATOMIC_RELAXED);
	__atomic_store_n(&s->switches, s->switches + 1, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&s->seq, seq + 2, __ATOMIC_RELEASE);
}

void mn_registry_add(struct mn_m *m, uint32_t flags)
{
	struct mn_abi_registry *r = &mn_nstaint_registry;
	uint32_t i;

	m->slot.magic = MN_ABI_SLOT_MAGIC;
	m->slot.version = MN_ABI_VERSION;
	m->slot.tid = (uint32_t)m->tid;
	m->reg_index = -1;
	mn_lk_lock(&reg_lock);
	for (i = 0; i < r->nr_used; i++)
		if (!r->threads[i].slot_addr)
			break;
	if (i == MN_ABI_MAX_THREADS) {
		r->overflow++;
		mn_lk_unlock(&reg_lock);
		return;
	}
	__atomic_store_n(&r->generation, r->generation + 1, __ATOMIC_RELEASE);
	r->threads[i].tid = (uint32_t)m->tid;
	r->threads[i].flags = flags;
	__atomic_store_n(&r->threads[i].slot_addr, (uint64_t)(uintptr_t)&m->slot, __ATOMIC_RELEASE);
	if (i == r->nr_used)
		__atomic_store_n(&r->nr_used, i + 1, __ATOMIC_RELEASE);
	__atomic_store_n(&r->generation, r->generation + 1, __ATOMIC_RELEASE);
	m->reg_index = (int)i;
	mn_lk_unlock(&reg_lock);
}

void mn_registry_del(struct mn_m *m)
{
	struct mn_abi_registry *r = &mn_nstaint_registry;

	if (m->reg_index < 0)
		return;
	mn_lk_lock(&reg_lock);
	__atomic_store_n(&r->generation, r->generation + 1, __ATOMIC_RELEASE);
	__atomic_store_n(&r->threads[m->reg_index].slot_addr, 0, __ATOMIC_RELEASE);
	r->threads[m->reg_index].tid = 0;
	r->threads[m->reg_index].flags = 0;
	__atomic_store_n(&r->generation, r->generation + 1, __ATOMIC_RELEASE);
	mn_lk_unlock(&reg_lock);
	m->reg_index = -1;
}

/* ---- global run queue (sched.lock held) ---- */

static void globrunqput(struct mn_g *g)
{
	g->schedlink = NULL;
	if (mn_sched.runqtail)
		mn_sched.runqtail->schedlink = g;
	else
		mn_sched.runqhead = g;
	mn_sched.runqtail = g;
	atomic_fetch_add(&mn_sched.runqsize, 1);
}

static void globrunqputbatch(struct mn_g *head, struct mn_g *tail, int n)
{
	tail->schedlink = NULL;
	if (mn_sched.runqtail)
		mn_sched.runqtail->schedlink = head;
	else
		mn_sched.runqhead = head;
	mn_sched.runqtail = tail;
	atomic_fetch_add(&mn_sched.runqsize, n);
}

static bool runqput(struct mn_p *p, struct mn_g *g, bool next);

/* Take a fair share of the global queue into p's local queue. */
static struct mn_g *globrunqget(struct mn_p *p, int max)
{
	int size = atomic_load(&mn_sched.runqsize);
	int n;
	struct mn_g *g, *g2;

	if (size == 0)
		return NULL;
	n = size / mn_sched.nprocs + 1;
	if (n > size)
		n = size;
	if (max > 0 && n > max)
		n = max;
	if (n > RUNQ_SIZE / 2)
		n = RUNQ_SIZE / 2;
	atomic_fetch_sub(&mn_sched.runqsize, n);
	g = mn_sched.runqhead;
	mn_sched.runqhead = g->schedlink;
	if (!mn_sched.runqhead)
		mn_sched.runqtail = NULL;
	while (--n > 0) {
		g2 = mn_sched.runqhead;
		mn_sched.runqhead = g2->schedlink;
		if (!mn_sched.runqhead)
			mn_sched.runqtail = NULL;
		runqput(p, g2, false);
	}
	return g;
}

/* ---- local run queue: single producer (the owner P), many consumers ---- */

static bool runqputslow(struct mn_p *p, struct mn_g *g, uint32_t h, uint32_t t)
{
	struct mn_g *batch[RUNQ_SIZE / 2 + 1];
	uint32_t n = (t - h) / 2, i;

	for (i = 0; i < n; i++)
		batch[i] = atomic_load_explicit(&p->runq[(h + i) % RUNQ_SIZE], memory_order_relaxed);
	if (!atomic_compare_exchange_strong_explicit(&p->runqhead, &h, h + n,
						     memory_order_release, memory_order_relaxed))
		return false;
	batch[n] = g;
	for (i = 0; i < n; i++)
		batch[i]->schedlink = batch[i + 1];
	mn_lk_lock(&mn_sched.lock);
	globrunqputbatch(batch[0], batch[n], (int)n + 1);
	mn_lk_unlock(&mn_sched.lock);
	return true;
}

static bool runqput(struct mn_p *p, struct mn_g *g, bool next)
{
	uint32_t h, t;

	if (next) {
		struct mn_g *old = atomic_exchange(&p->runnext, g);

		if (!old)
			return true;
		g = old;	/* kick the old runnext to the tail */
	}
	for (;;) {
		h = atomic_load_explicit(&p->runqhead, memory_order_acquire);
		t = atomic_load_explicit(&p->runqtail, memory_order_relaxed);
		if (t - h < RUNQ_SIZE) {
			atomic_store_explicit(&p->runq[t % RUNQ_SIZE], g, memory_order_relaxed);
			atomic_store_explicit(&p->runqtail, t + 1, memory_order_release);
			return true;
		}
		if (runqputslow(p, g, h, t))
			return true;
	}
}

static struct mn_g *runqget(struct mn_p *p)
{
	struct mn_g *next = atomic_load(&p->runnext);
	uint32_t h, t;
	struct mn_g *g;

	if (next && atomic_compare_exchange_strong(&p->runnext, &next, NULL))
		return next;
	for (;;) {
		h = atomic_load_explicit(&p->runqhead, memory_order_acquire);
		t = atomic_load_explicit(&p->runqtail, memory_order_relaxed);
		if (t == h)
			return NULL;
		g = atomic_load_explicit(&p->runq[h % RUNQ_SIZE], memory_order_relaxed);
		if (atomic_compare_exchange_strong_explicit(&p->runqhead, &h, h + 1,
							    memory_order_release, memory_order_relaxed))
			return g;
	}
}

static bool runqempty(struct mn_p *p)
{
	uint32_t h = atomic_load(&p->runqhead), t = atomic_load(&p->runqtail);

	return h == t && !atomic_load(&p->runnext);
}

/* Grab half of pp's queue into batch (a ring indexed from batchhead). */
static uint32_t runqgrab(struct mn_p *pp, struct mn_g *_Atomic *batch, uint32_t batchhead, bool stealnext)
{
	for (;;) {
		uint32_t h = atomic_load_explicit(&pp->runqhead, memory_order_acquire);
		uint32_t t = atomic_load_explicit(&pp->runqtail, memory_order_acquire);
		uint32_t n = t - h, i;

		n = n - n / 2;
		if (n == 0) {
			if (stealnext) {
				struct mn_g *next = atomic_load(&pp->runnext);

				if (next) {
					if (!atomic_compare_exchange_strong(&pp->runnext, &next, NULL))
						continue;
					atomic_store_explicit(&batch[batchhead % RUNQ_SIZE], next, memory_order_relaxed);
					return 1;
				}
			}
			return 0;
		}
		if (n > RUNQ_SIZE / 2)
			continue;	/* read h and t inconsistently: retry */
		for (i = 0; i < n; i++) {
			struct mn_g *g = atomic_load_explicit(&pp->runq[(h + i) % RUNQ_SIZE], memory_order_relaxed);

			atomic_store_explicit(&batch[(batchhead + i) % RUNQ_SIZE], g, memory_order_relaxed);
		}
		if (atomic_compare_exchange_strong_explicit(&pp->runqhead, &h, h + n,
							    memory_order_release, memory_order_relaxed))
			return n;
	}
}

static struct mn_g *runqsteal(struct mn_p *p, struct mn_p *pp, bool stealnext)
{
	uint32_t t = atomic_load_explicit(&p->runqtail, memory_order_relaxed);
	uint32_t n = runqgrab(pp, p->runq, t, stealnext);
	struct mn_g *g;

	if (n == 0)
		return NULL;
	n--;
	g = atomic_load_explicit(&p->runq[(t + n) % RUNQ_SIZE], memory_order_relaxed);
	if (n == 0)
		return g;
	atomic_store_explicit(&p->runqtail, t + n, memory_order_release);
	return g;
}

/* ---- P and M lists (sched.lock held) ---- */

static void pidleput(struct mn_p *p)
{
	atomic_store(&p->status, P_IDLE);
	p->m = NULL;
	p->link = mn_sched.pidle;
	mn_sched.pidle = p;
	if (atomic_fetch_add(&mn_sched.npidle, 1) + 1 == mn_sched.nprocs &&
	    !__atomic_load_n(&mn_sched.main_done, __ATOMIC_ACQUIRE))
		mn_sysmon_kick();	/* everyone idle: maybe a deadlock */
}

static struct mn_p *pidleget(void)
{
	struct mn_p *p = mn_sched.pidle;

	if (p) {
		mn_sched.pidle = p->link;
		atomic_fetch_sub(&mn_sched.npidle, 1);
	}
	return p;
}

static void acquirep(struct mn_m *m, struct mn_p *p)
{
	m->p = p;
	p->m = m;
	atomic_store(&p->status, P_RUNNING);
}

static struct mn_p *releasep(struct mn_m *m)
{
	struct mn_p *p = m->p;

	m->p = NULL;
	if (p)
		p->m = NULL;
	return p;
}

static void notewakeup(struct mn_m *m)
{
	__atomic_store_n(&m->park, 1, __ATOMIC_RELEASE);
	mn_futex_wake(&m->park, 1);
}

static void notesleep(struct mn_m *m)
{
	while (__atomic_load_n(&m->park, __ATOMIC_ACQUIRE) == 0)
		mn_futex_wait(&m->park, 0, -1);
	__atomic_store_n(&m->park, 0, __ATOMIC_RELAXED);
}

/* Park the M until someone hands it a P (in m->nextp). */
static void stopm(struct mn_m *m)
{
	mn_lk_lock(&mn_sched.lock);
	m->schedlink = mn_sched.midle;
	mn_sched.midle = m;
	mn_sched.nmidle++;
	mn_lk_unlock(&mn_sched.lock);
	notesleep(m);
	acquirep(m, m->nextp);
	m->nextp = NULL;
}

/* Run p (or an idle P) on an idle or new M. */
static void startm(struct mn_p *p, bool spinning)
{
	struct mn_m *m;

	mn_lk_lock(&mn_sched.lock);
	if (!p) {
		p = pidleget();
		if (!p) {
			mn_lk_unlock(&mn_sched.lock);
			if (spinning)
				atomic_fetch_sub(&mn_sched.nmspinning, 1);
			return;
		}
	}
	m = mn_sched.midle;
	if (m) {
		mn_sched.midle = m->schedlink;
		mn_sched.nmidle--;
	}
	mn_lk_unlock(&mn_sched.lock);
	if (!m) {
		mn_newm(p, spinning);
		return;
	}
	m->spinning = spinning;
	m->nextp = p;
	notewakeup(m);
}

/* Try to add one more spinning M to run ready work on an idle P. */
void mn_wakep(void)
{
	int z = 0;

	if (atomic_load(&mn_sched.npidle) == 0)
		return;
	if (atomic_load(&mn_sched.nmspinning) != 0 ||
	    !atomic_compare_exchange_strong(&mn_sched.nmspinning, &z, 1))
		return;
	startm(NULL, true);
}

/* Hand off p from a thread that is blocking or exiting. */
void mn_handoffp(struct mn_p *p)
{
	int z = 0;

	if (!runqempty(p) || atomic_load(&mn_sched.runqsize)) {
		startm(p, false);
		return;
	}
	if (atomic_load(&mn_sched.nmspinning) + atomic_load(&mn_sched.npidle) == 0 &&
	    atomic_compare_exchange_strong(&mn_sched.nmspinning, &z, 1)) {
		startm(p, true);
		return;
	}
	mn_lk_lock(&mn_sched.lock);
	pidleput(p);
	mn_lk_unlock(&mn_sched.lock);
}

void mn_injectglist(struct mn_g *list)
{
	struct mn_g *tail;
	int n = 1;

	if (!list)
		return;
	for (tail = list; tail->schedlink; tail = tail->schedlink)
		n++;
	mn_lk_lock(&mn_sched.lock);
	globrunqputbatch(list, tail, n);
	mn_lk_unlock(&mn_sched.lock);
	mn_wakep();
}

/*
 * Queue a runnable @g: on the current thread's P when it holds one (in
 * runnext if @next), else on the global queue; then wake an idle P.
 */
static void runq_put_any(struct mn_m *m, struct mn_g *g, bool next)
{
	if (m && m->p) {
		runqput(m->p, g, next);
	} else {
		mn_lk_lock(&mn_sched.lock);
		globrunqput(g);
		mn_lk_unlock(&mn_sched.lock);
	}
	mn_wakep();
}

void mn_ready(struct mn_g *g)
{
	mn_ready_next(g, true);
}

/* next: run it before the rest of the local queue (a hand-off, like a
 * channel send).  Timers pass false so that tasks whose timers fire in
 * the same pass run in deadline order. */
void mn_ready_next(struct mn_g *g, bool next)
{
	struct mn_m *m = mn_getm();
	int st = atomic_load(&g->status);

	if (unlikely(st != G_WAITING))
		mn_fatal("mn_ready: task %llu in state %d, not waiting", (unsigned long long)g->id, st);
	MN_PROBE1(task_unblock, g->id);
	atomic_store(&g->status, G_RUNNABLE);
	runq_put_any(m, g, next);
}

/* ---- G allocation ---- */

static void gfput(struct mn_p *p, struct mn_g *g)
{
	if (g->stack) {
		stack_put(p, g->stack);
		g->stack = NULL;
	}
#ifdef MN_TSAN
	/* TSan counts fibers as threads (8128 at most): only live tasks keep one. */
	if (g->tsan_fiber) {
		__tsan_destroy_fiber(g->tsan_fiber);
		g->tsan_fiber = NULL;
	}
#endif
	g->started = false;
	g->fn = NULL;
	g->arg = NULL;
	g->schedlink = p->gfree;
	p->gfree = g;
	if (++p->ngfree >= 64) {
		struct mn_g *head = NULL, *x;

		while (p->ngfree > 32) {
			x = p->gfree;
			p->gfree = x->schedlink;
			p->ngfree--;
			x->schedlink = head;
			head = x;
		}
		mn_lk_lock(&mn_sched.gfree_lock);
		while (head) {
			x = head;
			head = x->schedlink;
			x->schedlink = mn_sched.gfree;
			__atomic_store_n(&mn_sched.gfree, x, __ATOMIC_RELAXED);
		}
		mn_lk_unlock(&mn_sched.gfree_lock);
	}
}

static struct mn_g *gfget(struct mn_p *p)
{
	struct mn_g *g;

	if (p && !p->gfree && __atomic_load_n(&mn_sched.gfree, __ATOMIC_RELAXED)) {
		mn_lk_lock(&mn_sched.gfree_lock);
		while (p->ngfree < 32 && mn_sched.gfree) {
			g = mn_sched.gfree;
			__atomic_store_n(&mn_sched.gfree, g->schedlink, __ATOMIC_RELAXED);
			g->schedlink = p->gfree;
			p->gfree = g;
			p->ngfree++;
		}
		mn_lk_unlock(&mn_sched.gfree_lock);
	}
	if (p && p->gfree) {
		g = p->gfree;
		p->gfree = g->schedlink;
		p->ngfree--;
		return g;
	}
	if (!p) {
		mn_lk_lock(&mn_sched.gfree_lock);
		g = mn_sched.gfree;
		if (g)
			__atomic_store_n(&mn_sched.gfree, g->schedlink, __ATOMIC_RELAXED);
		mn_lk_unlock(&mn_sched.gfree_lock);
		if (g)
			return g;
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		mn_fatal("out of memory allocating a task");
	atomic_store(&g->status, G_DEAD);
	mn_lk_lock(&mn_sched.allg_lock);
	g->alllink = mn_sched.allg;
	mn_sched.allg = g;
	mn_lk_unlock(&mn_sched.allg_lock);
	return g;
}

uint64_t mn_go_at(void (*fn)(void *), void *arg, const char *file, int line)
{
	struct mn_m *m;
	struct mn_g *g, *cur;

	mn_runtime_init();
	m = mn_getm();
	cur = m ? m->curg : NULL;
	g = gfget(m ? m->p : NULL);
	g->id = atomic_fetch_add(&mn_sched.goidgen, 1) + 1;
	g->fn = fn;
	g->arg = arg;
	g->file = file;
	g->line = line;
	g->parent = cur ? cur->id : 0;
	g->lockcount = 0;
	g->lockedm = NULL;
	g->m = NULL;
	g->waitreason = NULL;
	g->is_main = false;
	g->param = NULL;
	g->started = false;
	atomic_fetch_add(&mn_sched.ntasks, 1);
	MN_PROBE3(task_create, g->id, g->parent, fn);
	atomic_store(&g->status, G_RUNNABLE);
	runq_put_any(m, g, true);
	return g->id;
}

/* ---- switching to g0 ---- */

void mn_mcall(int action)
{
	struct mn_m *m = mn_getm();
	struct mn_g *g = m->curg;

	m->action = action;
	switch_to(g, &m->g0, &g->sp, m->g0.sp);
}

void mn_park(void (*unlockf)(void *), void *arg, const char *reason)
{
	struct mn_m *m = mn_getm();
	struct mn_g *g = m->curg;

	if (unlikely(!g))
		mn_fatal("blocking libmn call (%s) outside a task", reason);
	g->waitreason = reason;
	g->waitsince = 0;
	m->unlockf = unlockf;
	m->unlockarg = arg;
	MN_PROBE2(task_block, g->id, reason);
	mn_mcall(ACT_PARK);
}

void mn_yield(void)
{
	struct mn_m *m = mn_getm();

	if (!m || !m->curg) {
		sched_yield();
		return;
	}
	mn_mcall(ACT_YIELD);
}

__attribute__((used)) void mn_task_main(struct mn_g *g);
__attribute__((used)) void mn_task_main(struct mn_g *g)
{
#ifdef MN_ASAN
	__sanitizer_finish_switch_fiber(NULL, NULL, NULL);
#endif
	g->fn(g->arg);
	mn_mcall(ACT_EXIT);
	__builtin_unreachable();
}

uint64_t mn_task_id(void)
{
	struct mn_g *g = mn_getg();

	return g ? g->id : 0;
}

int mn_proc_id(void)
{
	struct mn_m *m = mn_getm();

	return m && m->p ? m->p->id : -1;
}

int mn_nprocs(void)
{
	mn_runtime_init();
	return mn_sched.nprocs;
}

/* ---- thread exit ---- */

/* Hand @m to the template thread on one of its lists (tmpl_list: start a
 * thread for it; tmpl_reap: join its thread and free it). */
static void tmpl_hand(struct mn_m **list, struct mn_m *m)
{
	mn_lk_lock(&mn_sched.tmpl_lock);
	m->schedlink = *list;
	*list = m;
	__atomic_store_n(&mn_sched.tmpl_wake, 1, __ATOMIC_RELEASE);
	mn_lk_unlock(&mn_sched.tmpl_lock);
	mn_futex_wake(&mn_sched.tmpl_wake, 1);
}

/* The calling M (on g0) gives its P away and its thread exits: a task
 * returned while locked, or the thread's namespaces changed.  The M (and
 * the slot in it, which BPF reads until the thread's exit) is handed to
 * the template thread, which frees it once the thread is gone. */
void mn_thread_exit_locked(struct mn_m *m)
{
	struct mn_p *p = releasep(m);
	jmp_buf *jb = m->exitjb;

	if (p)
		mn_handoffp(p);
	MN_PROBE1(thread_exit, m->tid);
	mn_registry_del(m);
	mn_lk_lock(&mn_sched.allm_lock);
	if (m->allprev)
		m->allprev->alllink = m->alllink;
	else
		mn_sched.allm = m->alllink;
	if (m->alllink)
		m->alllink->allprev = m->allprev;
	mn_sched.mcount--;
	mn_lk_unlock(&mn_sched.allm_lock);
	mn_tls_m = NULL;
	tmpl_hand(&mn_sched.tmpl_reap, m);
	/* m is the template thread's now.  Unwind to mstart and return from
	 * the thread function: sanitizers see an ordinary return, the g0
	 * frames are discarded. */
	longjmp(*jb, 1);
}

/* Template thread: the thread of @m has ended (joined), nothing reads its
 * slot any more; a stale reader still finds it marked dead. */
static void reap_m(struct mn_m *m)
{
	int err = pthread_join(m->thread, NULL);

	if (err)
		mn_fatal("cannot join an exiting thread: %s", strerror(err));
	__atomic_store_n(&m->slot.seq, m->slot.seq + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&m->slot.magic, 0, __ATOMIC_RELEASE);
	free(m);
}

/* ---- the scheduler loop ---- */

static void resetspinning(struct mn_m *m)
{
	m->spinning = false;
	if (atomic_fetch_sub(&mn_sched.nmspinning, 1) == 1 && atomic_load(&mn_sched.npidle) > 0)
		mn_wakep();
}

static struct mn_g *findrunnable(struct mn_m *m)
{
	struct mn_p *p, *p2;
	struct mn_g *g;
	int i, n, start;
	bool was_spinning;

top:
	if (!m->p)
		stopm(m);
	p = m->p;
	if (atomic_load_explicit(&p->timer0, memory_order_relaxed)) {
		int64_t now = mn_nanotime();

		if (atomic_load(&p->timer0) <= now)
			mn_timers_run(p, now);
	}
	/* Fairness: look at the global queue now and then even when the
	 * local one is busy, or two tasks yielding to each other starve it. */
	if (p->schedtick % 61 == 0 && atomic_load(&mn_sched.runqsize) > 0) {
		mn_lk_lock(&mn_sched.lock);
		g = globrunqget(p, 1);
		mn_lk_unlock(&mn_sched.lock);
		if (g)
			return g;
	}
	g = runqget(p);
	if (g)
		return g;
	if (atomic_load(&mn_sched.runqsize) > 0) {
		mn_lk_lock(&mn_sched.lock);
		g = globrunqget(p, 0);
		mn_lk_unlock(&mn_sched.lock);
		if (g)
			return g;
	}

	/* Steal, unless enough Ms are spinning already (they would only
	 * burn CPU fighting over the same queues). */
	n = mn_sched.nprocs;
	if (!m->spinning && 2 * atomic_load(&mn_sched.nmspinning) >= n - atomic_load(&mn_sched.npidle))
		goto stop;
	if (!m->spinning) {
		m->spinning = true;
		atomic_fetch_add(&mn_sched.nmspinning, 1);
	}
	for (int tries = 0; tries < 4; tries++) {
		start = (int)(fastrand(p) % (uint32_t)n);
		for (i = 0; i < n; i++) {
			p2 = &mn_sched.allp[(start + i) % n];
			if (p2 == p)
				continue;
			g = runqsteal(p, p2, tries == 3);
			if (g)
				return g;
		}
	}

stop:
	mn_lk_lock(&mn_sched.lock);
	if (atomic_load(&mn_sched.runqsize) > 0) {
		g = globrunqget(p, 0);
		mn_lk_unlock(&mn_sched.lock);
		return g;
	}
	releasep(m);
	pidleput(p);
	mn_lk_unlock(&mn_sched.lock);

	/* Work may have been queued after we looked but before we became
	 * idle, by someone who saw us spinning and did not wake anyone. */
	was_spinning = m->spinning;
	if (m->spinning) {
		m->spinning = false;
		atomic_fetch_sub(&mn_sched.nmspinning, 1);
	}
	for (i = 0; i < n; i++) {
		p2 = &mn_sched.allp[i];
		if (!runqempty(p2) || atomic_load(&mn_sched.runqsize)) {
			mn_lk_lock(&mn_sched.lock);
			p = pidleget();
			mn_lk_unlock(&mn_sched.lock);
			if (p) {
				acquirep(m, p);
				if (was_spinning) {
					m->spinning = true;
					atomic_fetch_add(&mn_sched.nmspinning, 1);
				}
				goto top;
			}
			break;
		}
	}
	stopm(m);
	goto top;
}

/* The locked M waits, without a P, until its task is runnable again. */
static void stoplockedm(struct mn_m *m)
{
	struct mn_p *p = releasep(m);

	if (p)
		mn_handoffp(p);
	atomic_fetch_add(&mn_sched.nlockedwait, 1);
	notesleep(m);
	atomic_fetch_sub(&mn_sched.nlockedwait, 1);
	acquirep(m, m->nextp);
	m->nextp = NULL;
}

/* g is locked to another M: give it our P and wait. */
static void startlockedm(struct mn_m *m, struct mn_g *g)
{
	struct mn_m *mp = g->lockedm;
	struct mn_p *p = releasep(m);

	mp->nextp = p;
	notewakeup(mp);
	stopm(m);
}

static void execute(struct mn_m *m, struct mn_g *g)
{
	struct mn_p *p = m->p;
	bool first = !g->started;

	if (first) {
		if (!g->stack)
			stack_get(p, g);
		g_prepare(g);
		g->started = true;
	}
	atomic_store_explicit(&g->status, G_RUNNING, memory_order_relaxed);
	g->m = m;
	m->curg = g;
	/* Owner-only counters: plain (relaxed) stores, no locked
	 * instruction and no shared cache line on the switch path. */
	__atomic_store_n(&p->schedtick, p->schedtick + 1, __ATOMIC_RELAXED);
	mn_m_publish(m, g->id, g->lockcount);
	if (first)
		MN_PROBE2(task_start, g->id, m->tid);
	switch_to(&m->g0, g, &m->g0.sp, g->sp);

	/* Back on g0: the task's registers are saved in g->sp. */
	m->curg = NULL;
	mn_m_publish(m, 0, 0);
	p = m->p;
	switch (m->action) {
	case ACT_YIELD:
		atomic_store(&g->status, G_RUNNABLE);
		runqput(p, g, false);
		break;
	case ACT_PARK:
		atomic_store(&g->status, G_WAITING);
		if (m->unlockf)
			m->unlockf(m->unlockarg);
		m->unlockf = NULL;
		break;
	case ACT_SYSEXIT:
		/* Our P was taken during a system call and none is idle. */
		atomic_store(&g->status, G_RUNNABLE);
		mn_lk_lock(&mn_sched.lock);
		globrunqput(g);
		mn_lk_unlock(&mn_sched.lock);
		mn_wakep();
		break;
	case ACT_RETIRE:
		/* Outermost unlock on a thread whose namespaces changed: the
		 * task moves on, the thread goes away. */
		g->lockedm = NULL;
		m->lockedg = NULL;
		atomic_store(&g->status, G_RUNNABLE);
		runqput(p, g, true);
		mn_thread_exit_locked(m);
		break;
	case ACT_EXIT: {
		bool locked = g->lockcount > 0;

		MN_PROBE1(task_exit, g->id);
		atomic_store(&g->status, G_DEAD);
		g->lockcount = 0;
		g->lockedm = NULL;
		atomic_fetch_sub(&mn_sched.ntasks, 1);
		gfput(p, g);
		if (locked) {
			/* Go 1.10: a task that exits locked takes its thread
			 * with it; the thread may be in any state. */
			m->lockedg = NULL;
			mn_thread_exit_locked(m);
		}
		break;
	}
	}
	m->action = ACT_NONE;
}

static __attribute__((noreturn)) void schedule(struct mn_m *m)
{
	struct mn_g *g;

	for (;;) {
		if (m->lockedg) {
			stoplockedm(m);
			execute(m, m->lockedg);
			continue;
		}
		g = findrunnable(m);
		if (m->spinning)
			resetspinning(m);
		if (g->lockedm && g->lockedm != m) {
			startlockedm(m, g);
			continue;
		}
		execute(m, g);
	}
}

/* ---- thread creation through the template thread ---- */

static void *mstart(void *arg)
{
	struct mn_m *m = arg;
	jmp_buf exitjb;
	int fd;

	mn_tls_m = m;
	m->tid = (pid_t)syscall(SYS_gettid);
	fd = open("/proc/thread-self", O_PATH | O_DIRECTORY | O_CLOEXEC);
	m->home_ok = fd >= 0 && ns_set_read(fd, &m->home) == 0;
	if (fd >= 0)
		close(fd);
#ifdef MN_TSAN
	m->g0.tsan_fiber = __tsan_get_current_fiber();
#endif
#ifdef MN_ASAN
	{
		pthread_attr_t attr;
		void *addr;
		size_t size;

		if (pthread_getattr_np(pthread_self(), &attr) == 0) {
			if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
				m->g0.asan_bottom = addr;
				m->g0.asan_size = size;
			}
			pthread_attr_destroy(&attr);
		}
	}
#endif
	mn_registry_add(m, 0);
	mn_lk_lock(&mn_sched.allm_lock);
	m->alllink = mn_sched.allm;
	if (m->alllink)
		m->alllink->allprev = m;
	mn_sched.allm = m;
	mn_sched.mcount++;
	mn_lk_unlock(&mn_sched.allm_lock);
	MN_PROBE2(thread_start, m->tid, &m->slot);
	acquirep(m, m->nextp);
	m->nextp = NULL;
	m->exitjb = &exitjb;
	if (setjmp(exitjb) == 0)
		schedule(m);
	return NULL;	/* mn_thread_exit_locked: this thread ends */
}

void mn_newm(struct mn_p *p, bool spinning)
{
	struct mn_m *m = calloc(1, sizeof(*m));

	if (!m)
		mn_fatal("out of memory allocating a thread");
	m->id = (int)__atomic_add_fetch(&nextmid, 1, __ATOMIC_RELAXED);
	m->nextp = p;
	m->spinning = spinning;
	m->reg_index = -1;
	tmpl_hand(&mn_sched.tmpl_list, m);
}

/* The template thread: never runs a task, never changes namespace, so
 * every M it clones starts clean (Go's templateThread). */
static void *template_main(void *arg)
{
	struct mn_m self = { .reg_index = -1 };
	pthread_attr_t attr;
	struct mn_m *list, *reap, *m;
	int err;

	self.tid = (pid_t)syscall(SYS_gettid);
	mn_registry_add(&self, MN_ABI_THREAD_TEMPLATE);
	sem_post(&runtime_threads_up);
	pthread_attr_init(&attr);	/* joinable: reap_m */
	for (;;) {
		while (__atomic_load_n(&mn_sched.tmpl_wake, __ATOMIC_ACQUIRE) == 0)
			mn_futex_wait(&mn_sched.tmpl_wake, 0, -1);
		mn_lk_lock(&mn_sched.tmpl_lock);
		list = mn_sched.tmpl_list;
		mn_sched.tmpl_list = NULL;
		reap = mn_sched.tmpl_reap;
		mn_sched.tmpl_reap = NULL;
		__atomic_store_n(&mn_sched.tmpl_wake, 0, __ATOMIC_RELAXED);
		mn_lk_unlock(&mn_sched.tmpl_lock);
		while (list) {
			m = list;
			list = m->schedlink;
			m->schedlink = NULL;
			err = pthread_create(&m->thread, &attr, mstart, m);
			if (err)
				mn_fatal("cannot create a thread: %s", strerror(err));
		}
		while (reap) {
			m = reap;
			reap = m->schedlink;
			reap_m(m);
		}
	}
	return arg;
}

/* ---- system calls ---- */

void mn_syscall_enter(void)
{
	struct mn_m *m = mn_getm();
	struct mn_p *p;

	if (!m || !m->p || !m->curg)
		return;
	p = m->p;
	atomic_store(&m->curg->status, G_SYSCALL);
	m->oldp = p;
	m->p = NULL;
	atomic_fetch_add(&p->syscalltick, 1);
	atomic_fetch_add(&mn_sched.nsyscall, 1);
	atomic_store(&p->status, P_SYSCALL);
	/* sysmon must look soon: it may be sleeping for long. */
	if (atomic_load(&mn_sched.sysmon_until) > mn_nanotime() + 1000000)
		mn_sysmon_kick();
}

void mn_syscall_exit(void)
{
	struct mn_m *m = mn_getm();
	struct mn_p *p;
	int st = P_SYSCALL;

	if (!m || !m->oldp)
		return;
	p = m->oldp;
	m->oldp = NULL;
	atomic_fetch_sub(&mn_sched.nsyscall, 1);
	if (atomic_compare_exchange_strong(&p->status, &st, P_RUNNING)) {
		/* Ours again, or another M's P that sits in a syscall of its
		 * own: P_SYSCALL means "free to take", that M will go the
		 * slow way (Go's exitsyscallfast has the same rule). */
		m->p = p;
		p->m = m;
		atomic_store(&m->curg->status, G_RUNNING);
		return;
	}
	/* sysmon handed our P to another thread; take any idle one. */
	mn_lk_lock(&mn_sched.lock);
	p = pidleget();
	mn_lk_unlock(&mn_sched.lock);
	if (p) {
		acquirep(m, p);
		atomic_store(&m->curg->status, G_RUNNING);
		return;
	}
	mn_mcall(ACT_SYSEXIT);
}

/* sysmon's retake: Ps stuck in a system call for a whole tick. */
static bool retake(int64_t now)
{
	bool any = false;

	for (int i = 0; i < mn_sched.nprocs; i++) {
		struct mn_p *p = &mn_sched.allp[i];
		uint32_t tick = atomic_load(&p->syscalltick);
		int st = P_SYSCALL;

		if (atomic_load(&p->status) != P_SYSCALL) {
			p->sysmon_tick = tick;
			continue;
		}
		if (p->sysmon_tick != tick) {
			p->sysmon_tick = tick;
			p->sysmon_when = now;
			continue;
		}
		if (now - p->sysmon_when < 20000)
			continue;
		if (atomic_compare_exchange_strong(&p->status, &st, P_IDLE)) {
			p->m = NULL;
			mn_handoffp(p);
			any = true;
		}
	}
	return any;
}

/* ---- sysmon: timers of idle Ps, netpoll, syscall retake, deadlock ---- */

static _Atomic int sigquit_pending;

void mn_sysmon_kick(void)
{
	uint64_t one = 1;

	if (mn_sched.evfd >= 0)
		(void)!write(mn_sched.evfd, &one, sizeof(one));
}

static void on_sigquit(int sig)
{
	atomic_store(&sigquit_pending, 1);
	mn_sysmon_kick();
}

static void *sysmon_main(void *arg)
{
	struct mn_m self = { .reg_index = -1 };
	struct epoll_event evs[128];
	int64_t delay = 20000, suspect = 0;
	uint64_t suspect_progress = 0;

	sigset_t quit;

	self.tid = (pid_t)syscall(SYS_gettid);
	mn_registry_add(&self, MN_ABI_THREAD_SYSMON);
	sem_post(&runtime_threads_up);
	sigemptyset(&quit);
	sigaddset(&quit, SIGQUIT);
	pthread_sigmask(SIG_UNBLOCK, &quit, NULL);
	for (;;) {
		int64_t now, next = 0, until, t;
		struct timespec ts __attribute__((unused));
		int n, i;

		atomic_store(&mn_sched.sysmon_until, 0);
		now = mn_nanotime();
		for (i = 0; i < mn_sched.nprocs; i++) {
			struct mn_p *p = &mn_sched.allp[i];

			t = atomic_load(&p->timer0);
			if (t && t <= now)
				t = mn_timers_run(p, now);
			if (t && (!next || t < next))
				next = t;
		}
		until = next ? next : INT64_MAX;
		if (atomic_load(&mn_sched.nsyscall) > 0) {
			if (retake(now))
				delay = 20000;
			else if (delay < 10000000)
				delay *= 2;
			if (now + delay < until)
				until = now + delay;
		} else {
			delay = 20000;
		}
		/* Deadlock: every P idle, nothing in a system call, the
		 * netpoller or a timer, and no progress for 5 ms. */
		if (mn_sched.started && !__atomic_load_n(&mn_sched.main_done, __ATOMIC_ACQUIRE) &&
		    mn_deadlock_check()) {
			uint64_t prog = 0;

			for (i = 0; i < mn_sched.nprocs; i++)
				prog += __atomic_load_n(&mn_sched.allp[i].schedtick, __ATOMIC_RELAXED);

			if (suspect && prog == suspect_progress && now - suspect >= 5000000)
				mn_fatal_deadlock();
			if (!suspect || prog != suspect_progress) {
				suspect = now;
				suspect_progress = prog;
			}
			if (now + 5000000 < until)
				until = now + 5000000;
		} else {
			suspect = 0;
		}
		atomic_store(&mn_sched.sysmon_until, until);
		t = mn_timers_earliest();
		if (t && t < until)
			continue;	/* a timer raced with us */
#ifdef MN_TSAN
		/* TSan delivers signals (SIGQUIT) only inside calls it
		 * intercepts, which epoll_pwait2 is not. */
		if (until == INT64_MAX) {
			n = epoll_wait(mn_sched.epfd, evs, 128, -1);
		} else {
			int64_t d = until - mn_nanotime();

			n = epoll_wait(mn_sched.epfd, evs, 128, d <= 0 ? 0 : (int)((d + 999999) / 1000000));
		}
#else
		if (until == INT64_MAX) {
			n = epoll_pwait2(mn_sched.epfd, evs, 128, NULL, NULL);
		} else {
			int64_t d = until - mn_nanotime();

			if (d < 0)
				d = 0;
			ts.tv_sec = d / 1000000000LL;
			ts.tv_nsec = d % 1000000000LL;
			n = epoll_pwait2(mn_sched.epfd, evs, 128, &ts, NULL);
		}
#endif
		for (i = 0; i < n; i++) {
			if (evs[i].data.fd == mn_sched.evfd) {
				uint64_t v;

				(void)!read(mn_sched.evfd, &v, sizeof(v));
				evs[i].events = 0;
			}
		}
		if (n > 0)
			mn_netpoll_events(evs, n);
		if (atomic_load(&sigquit_pending)) {
			dprintf(2, "SIGQUIT: quit\n");
			mn_dump_tasks(2);
			_exit(2);
		}
	}
	return arg;
}

/* ---- init and mn_main ---- */

static int ncpus(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		return CPU_COUNT(&set);
	return (int)sysconf(_SC_NPROCESSORS_ONLN);
}

static void do_init(void)
{
	const char *e;
	pthread_t t;
	pthread_attr_t attr;
	struct epoll_event ev = { .events = EPOLLIN };
	struct sigaction sa, old;
	sigset_t quit, oldmask;
	int i, n;

	pagesz = (size_t)sysconf(_SC_PAGESIZE);
	guard_limit = (read_max_map_count() - 16384) / 2;
	if (guard_limit < 0)
		guard_limit = 0;
	n = ncpus();
	e = getenv("MN_PROCS");
	if (e && atoi(e) > 0)
		n = atoi(e);
	if (n > 1024)
		n = 1024;
	mn_sched.nprocs = n;
	mn_sched.stack_size = 64 * 1024;
	e = getenv("MN_STACK_SIZE");
	if (e && strtoul(e, NULL, 0) >= 16384)
		mn_sched.stack_size = (strtoul(e, NULL, 0) + pagesz - 1) & ~(pagesz - 1);
	mn_sched.allp = aligned_alloc(64, sizeof(struct mn_p) * (size_t)n);
	if (!mn_sched.allp)
		mn_fatal("out of memory");
	memset(mn_sched.allp, 0, sizeof(struct mn_p) * (size_t)n);
	for (i = n - 1; i >= 0; i--) {
		struct mn_p *p = &mn_sched.allp[i];

		p->id = i;
		p->rand = 0x9E3779B97F4A7C15ULL * (uint64_t)(i + 1);
		p->link = mn_sched.pidle;
		mn_sched.pidle = p;
	}
	atomic_store(&mn_sched.npidle, n);
	atomic_store(&mn_sched.sysmon_until, 0);
	/* No mn_main running yet: tasks started with mn_go from plain threads
	 * may wait for those threads, so no deadlock verdict until then. */
	mn_sched.main_done = 1;
	mn_sched.epfd = epoll_create1(EPOLL_CLOEXEC);
	mn_sched.evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (mn_sched.epfd < 0 || mn_sched.evfd < 0)
		mn_fatal("cannot create the poller: %s", strerror(errno));
	ev.data.fd = mn_sched.evfd;
	epoll_ctl(mn_sched.epfd, EPOLL_CTL_ADD, mn_sched.evfd, &ev);
	mn_netpoll_init();
	mn_debug_init();

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigquit;
	sa.sa_flags = SA_RESTART;
	if (!getenv("MN_NO_SIGQUIT") && sigaction(SIGQUIT, NULL, &old) == 0 && old.sa_handler == SIG_DFL)
		sigaction(SIGQUIT, &sa, NULL);

	mn_sched.started = true;
	/* Runtime threads never take SIGQUIT (sysmon unblocks it): the
	 * handler must not run on a task's stack in the middle of a switch. */
	sigemptyset(&quit);
	sigaddset(&quit, SIGQUIT);
	pthread_sigmask(SIG_BLOCK, &quit, &oldmask);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	sem_init(&runtime_threads_up, 0, 0);
	if (pthread_create(&t, &attr, template_main, NULL) ||
	    pthread_create(&t, &attr, sysmon_main, NULL))
		mn_fatal("cannot create runtime threads");
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &oldmask, NULL);
	for (int up = 0; up < 2; up++)
		while (sem_wait(&runtime_threads_up) && errno == EINTR)
			;
}

void mn_runtime_init(void)
{
	pthread_once(&init_once, do_init);
}

struct main_arg {
	int (*fn)(void *);
	void *arg;
	int ret;
};

static void main_task(void *a)
{
	struct main_arg *ma = a;

	ma->ret = ma->fn(ma->arg);
	__atomic_store_n(&mn_sched.main_done, 1, __ATOMIC_RELEASE);
	mn_futex_wake(&mn_sched.main_done, 1);
}

int mn_main(int (*main_fn)(void *), void *arg)
{
	struct main_arg ma = { main_fn, arg, 0 };
	const char *e;

	if (mn_getm())
		mn_fatal("mn_main called from a task or a runtime thread");
	mn_runtime_init();
	__atomic_store_n(&mn_sched.main_done, 0, __ATOMIC_RELEASE);
	mn_go_at(main_task, &ma, "mn_main", 0);
	while (__atomic_load_n(&mn_sched.main_done, __ATOMIC_ACQUIRE) == 0) {
#ifdef MN_TSAN
		mn_futex_wait(&mn_sched.main_done, 0, 20000000);
		usleep(1);	/* an intercepted call: TSan runs pending signal handlers */
#else
		mn_futex_wait(&mn_sched.main_done, 0, -1);
#endif
	}
	e = getenv("MN_LEAKS");
	if ((e && *e && strcmp(e, "0")) || atomic_load(&mn_sched.leak_check))
		mn_report_leaks(2);
	return ma.ret;
}
