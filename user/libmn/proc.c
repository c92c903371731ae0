// SPDX-License-Identifier: GPL-2.0-only
/*
 * proc.c: the G-M-P scheduler.  Structure and names follow Go's
 * runtime/proc.go (findrunnable, startm, handoffp, stoplockedm,
 * startlockedm, templateThread) so a reader of one can read the other.
 *
 * Owns: mn_sched and mn_tls_m; parking and waking Ms (the M idle list,
 * stopm, startm, mn_wakep, mn_handoffp); making a G runnable (mn_ready,
 * mn_go_at, mn_injectglist) and taking it off the thread (mn_mcall,
 * mn_park, mn_yield); the pools of dead Gs; the scheduler loop (schedule,
 * findrunnable, execute) and the life of an M: started by the template
 * thread (mn_newm, mstart), exiting (mn_thread_exit_locked), joined and
 * freed (reap_m).  Elsewhere: the run queues (runq.h), the P idle list
 * (internal.h), stacks (stack.c), the lock (lock_futex.c), system calls
 * (syscall.c), sysmon (sysmon.c), the nstaint slots (registry.c),
 * start-up (init.c).
 *
 * Invariants:
 *  - A thread runs scheduler code on its own pthread stack (the M's g0);
 *    tasks switch to g0 with mn_mcall() and g0 finishes what they asked
 *    (park, yield, exit) once their registers are saved.
 *  - An M runs a G only while it holds a P (m->p), except a G between
 *    mn_syscall_enter and mn_syscall_exit (syscall.c).
 *  - A P is held by one M (m->p == p, p->m == m), or is on the idle list
 *    (P_IDLE, sched.lock), or was left in a system call (P_SYSCALL), or
 *    is in flight to an M in its m->nextp, which that M alone takes
 *    (acquirep) once woken.
 *  - nmspinning counts Ms looking for work (m->spinning).  A spinning M
 *    that finds work stops spinning and, if it was the last, wakes
 *    another (resetspinning): readied work is not left behind while an
 *    idle P could run it.
 *  - A G locked to an M (g->lockedm) runs on that M only, and that M runs
 *    no other G until it is unlocked or exits (stoplockedm, startlockedm).
 *  - Ms are created only by the template thread, which never runs tasks
 *    and never changes namespace.  A struct mn_m is freed only after its
 *    thread is joined: BPF reads the slot in it until the thread is gone.
 *  - sched.lock is a leaf: no other lock is taken while it is held.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <semaphore.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"
#include "frame.h"
#include "race.h"
#include "runq.h"

#ifdef MN_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

struct mn_sched mn_sched;
__thread struct mn_m *mn_tls_m;

static uint32_t nextmid;

__attribute__((noinline)) struct mn_m *mn_getm(void)
{
	struct mn_m *m = mn_tls_m;
	__asm__ volatile("" : "+r"(m));
	return m;
}

/* Owner P only: p->rand is not shared. */
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

/* ---- sanitizer-aware switch ---- */

/* Switch from the running context @from (a task, or g0) to @to: @save
 * gets our stack pointer, @sp is to's.  To or from g0 only: tasks never
 * switch to each other directly.  @from_g0: the M whose g0 @from is, or
 * NULL when @from is a task.  No happens-before (race.h). */
static inline void switch_to(struct mn_g *from, struct mn_g *to, void **save, void *sp,
			     const struct mn_m *from_g0)
{
	mn_race_switch(from, to);
#ifdef MN_ASAN
	if (to->stack) {
		to->asan_bottom = to->stack + mn_pagesz;
		to->asan_size = to->stack_size;
	}
	__sanitizer_start_switch_fiber(&from->asan_fake, to->asan_bottom, to->asan_size);
#endif
	if (from_g0) {
		mn_dcheck(mn_fpenv_read() == from_g0->g0env,
			  "M %d: g0's MXCSR/x87 control word changed", from_g0->id);
		mn_ctx_switch_g0(save, sp, from_g0->g0env);
	} else
		mn_ctx_switch(save, sp);
#ifdef MN_ASAN
	__sanitizer_finish_switch_fiber(from->asan_fake, NULL, NULL);
#endif
	(void)from;
}

/* Wake m from notesleep; any thread.  One wakeup per sleep: whoever
 * calls it has just given m a P in m->nextp (or m's locked task). */
static void notewakeup(struct mn_m *m)
{
	__atomic_store_n(&m->park, 1, __ATOMIC_RELEASE);
	mn_futex_wake(&m->park, 1);
}

/* On m's own thread, g0 only, with no lock held: sleeps until notewakeup. */
static void notesleep(struct mn_m *m)
{
	while (__atomic_load_n(&m->park, __ATOMIC_ACQUIRE) == 0)
		mn_futex_wait(&m->park, 0, -1);
	__atomic_store_n(&m->park, 0, __ATOMIC_RELAXED);
}

/* Park the M until someone hands it a P (in m->nextp).  On m's own
 * thread, g0 only; m holds no P (checked); must not hold sched.lock. */
static void stopm(struct mn_m *m)
{
	mn_check(!m->p, "stopm: M %d holds P %d", m->id, m->p ? m->p->id : -1);
	mn_lk_lock(&mn_sched.lock);
	m->schedlink = mn_sched.midle;
	mn_sched.midle = m;
	mn_sched.nmidle++;
	mn_lk_unlock(&mn_sched.lock);
	notesleep(m);
	acquirep(m, m->nextp);
	m->nextp = NULL;
}

/* Run p (or an idle P) on an idle or new M.  Must not hold sched.lock;
 * p is held by no M.  @spinning: the caller counted the new M in
 * nmspinning already (undone here if there is no P for it). */
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

/* Try to add one more spinning M to run ready work on an idle P.  Any
 * thread; must not hold sched.lock. */
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

/* Hand off p from a thread that is blocking or exiting, or from sysmon
 * (retake).  p is held by no M (released by the caller, or taken from a
 * system call); must not hold sched.lock. */
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

/* Queue @list (G_RUNNABLE Gs linked by schedlink) on the global queue
 * and wake a P for it.  Any thread, sysmon's netpoll too; must not hold
 * sched.lock. */
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

/* Take p's inbox (tasks other threads' network polls readied for it),
 * oldest first.  Any M: the owner to queue them, a thief when p is not
 * running or is stale (netpoll.c).  Must not hold sched.lock. */
struct mn_g *mn_inbox_take(struct mn_p *p)
{
	struct mn_g *g, *rev = NULL, *next;

	if (!atomic_load_explicit(&p->inbox, memory_order_relaxed))
		return NULL;
	for (g = atomic_exchange(&p->inbox, NULL); g; g = next) {
		next = g->schedlink;
		g->schedlink = rev;
		rev = g;
	}
	return rev;
}

/* Queue @list (linked by schedlink, first to last) on p, then wake an
 * idle P for them.  Owner P only. */
static void runqput_list(struct mn_p *p, struct mn_g *list)
{
	struct mn_g *next;

	for (; list; list = next) {
		next = list->schedlink;
		runqput(p, list, false);
	}
	mn_wakep();
}

void mn_inject_on(struct mn_p *p, struct mn_g *list)
{
	struct mn_m *m = mn_getm();
	struct mn_g *tail, *old;

	if (!list)
		return;
	if (!p) {
		mn_injectglist(list);
		return;
	}
	if (m && m->p == p) {
		runqput_list(p, list);
		return;
	}
	for (tail = list; tail->schedlink; tail = tail->schedlink)
		;
	old = atomic_load_explicit(&p->inbox, memory_order_relaxed);
	do
		tail->schedlink = old;
	while (!atomic_compare_exchange_weak(&p->inbox, &old, list));
	/* seq_cst, against findrunnable's status store then inbox load: a
	 * P that went idle after we chose it is seen here, or sees our
	 * tasks there. */
	if (atomic_load(&p->status) != P_RUNNING)
		mn_wakep();
}

/* Note in the steering map (netpoll.c) the CPU p's M runs on: both
 * entries each time, as another P's thread may have run on this CPU
 * since (and taken its entry) while ours stayed.  Owner P only; a
 * sched_getcpu is a load from the rseq area. */
static void note_cpu(struct mn_p *p)
{
	int cpu = sched_getcpu();

	if (cpu < 0 || cpu >= mn_sched.ncpu_map)
		return;
	if (cpu != atomic_load_explicit(&p->cpu, memory_order_relaxed))
		atomic_store_explicit(&p->cpu, cpu, memory_order_relaxed);
	if (atomic_load_explicit(&mn_sched.cpu_p[cpu], memory_order_relaxed) != p->id)
		atomic_store_explicit(&mn_sched.cpu_p[cpu], p->id, memory_order_relaxed);
}

/* Queue the tasks in p's inbox on p.  Owner P only, g0; no lock held. */
static void inbox_drain(struct mn_p *p)
{
	struct mn_g *g = mn_inbox_take(p);

	if (g)
		runqput_list(p, g);
}

/*
 * Queue a runnable @g: on the current thread's P when it holds one (in
 * runnext if @next), else on the global queue; then wake an idle P.
 * @m is the calling thread's M (NULL on a thread libmn did not create);
 * must not hold sched.lock.
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
 * the same pass run in deadline order.  g must be parked, G_WAITING
 * (checked), and readied once: whoever removed it from the wait list it
 * was on.  Any thread; must not hold sched.lock (other locks may be
 * held: sched.lock is taken after them). */
void mn_ready_next(struct mn_g *g, bool next)
{
	struct mn_m *m = mn_getm();
	int st = atomic_load(&g->status);

	if (unlikely(st != G_WAITING))
		mn_fatal("mn_ready: task %llu in state %d, not waiting", (unsigned long long)g->id, st);
	MN_PROBE1(task_unblock, g->id);
	/* Status is read for checks and dumps only: no locked instruction
	 * (a seq_cst store is an xchg) on the hand-off path. */
	atomic_store_explicit(&g->status, G_RUNNABLE, memory_order_relaxed);
	runq_put_any(m, g, next);
}

/* ---- G allocation ---- */

/* Put dead g in p's pool, its stack in p's cache.  Owner P only, g0
 * only (g is G_DEAD, checked: it must not be running anywhere). */
static void gfput(struct mn_p *p, struct mn_g *g)
{
	mn_check(atomic_load_explicit(&g->status, memory_order_relaxed) == G_DEAD,
		 "gfput: task %llu is not dead", (unsigned long long)g->id);
	mn_dcheck(mn_owns_p(p), "gfput: P %d is not the caller's", p->id);
	mn_race_task_end(g);	/* before its stack is handed on */
	if (g->stack) {
		mn_stack_put(p, g->stack);
		g->stack = NULL;
	}
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

/* A dead G to reuse, or a new one.  p is the caller's P (owner P only),
 * or NULL on a thread without one: then only the global pool is used. */
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

/* A new task id: from p's batch (owner P only), or from goidgen itself
 * on a thread without a P.  Ids stay unique, not ordered across Ps. */
static uint64_t goid_next(struct mn_p *p)
{
	if (!p)
		return atomic_fetch_add(&mn_sched.goidgen, 1) + 1;
	if (p->goidcache == p->goidcacheend) {
		p->goidcache = atomic_fetch_add(&mn_sched.goidgen, MN_GOID_BATCH) + 1;
		p->goidcacheend = p->goidcache + MN_GOID_BATCH;
	}
	return p->goidcache++;
}

/* One more (+1) or one fewer (-1) live task, counted on p (owner P only:
 * a plain store, no locked instruction), or globally without a P. */
static void ntasks_add(struct mn_p *p, int d)
{
	if (p)
		atomic_store_explicit(&p->ntasks, atomic_load_explicit(&p->ntasks, memory_order_relaxed) + d,
				      memory_order_relaxed);
	else
		atomic_fetch_add(&mn_sched.ntasks, d);
}

int64_t mn_ntasks(void)
{
	int64_t n = atomic_load(&mn_sched.ntasks);

	for (int i = 0; i < mn_sched.nprocs; i++)
		n += atomic_load_explicit(&mn_sched.allp[i].ntasks, memory_order_relaxed);
	return n;
}

uint64_t mn_go_at(void (*fn)(void *), void *arg, const char *file, int line)
{
	struct mn_m *m;
	struct mn_g *g, *cur;

	mn_runtime_init();
	m = mn_getm();
	cur = m ? m->curg : NULL;
	g = gfget(m ? m->p : NULL);
	g->id = goid_next(m ? m->p : NULL);
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
	mn_race_task_create(g, (uintptr_t)__builtin_return_address(0));
	ntasks_add(m ? m->p : NULL, 1);
	MN_PROBE3(task_create, g->id, g->parent, fn);
	/* relaxed: runqput publishes g (release); status is for checks */
	atomic_store_explicit(&g->status, G_RUNNABLE, memory_order_relaxed);
	runq_put_any(m, g, true);
	return g->id;
}

/* ---- switching to g0 ---- */

/* Switch to g0, which does @action for the task once its registers are
 * saved (execute).  On a task only, holding a P but for ACT_SYSEXIT
 * (checked: from g0 it would save g0's registers over a task's; without a
 * P, between mn_syscall_enter and _exit, g0 has no P to queue the task
 * on).  No runtime lock held, unless @action is ACT_PARK with an unlockf
 * that releases it. */
static inline __attribute__((always_inline)) void mcall(struct mn_m *m, int action)
{
	struct mn_g *g = m->curg;

	mn_check(g && (m->p || action == ACT_SYSEXIT),
		 g ? "task switch between mn_syscall_enter and mn_syscall_exit" : "mn_mcall from g0");
	m->action = action;
	switch_to(g, &m->g0, &g->sp, m->g0.sp, NULL);
	/* m is not ours any more: the task may resume on another M. */
}

void mn_mcall(int action)
{
	mcall(mn_getm(), action);
}

/*
 * Park the calling task until mn_ready.  On a task only (checked).  The
 * caller may hold one lock, the one that lets wakers find it: @unlockf
 * releases it on g0, after the task's registers are saved, so a waker
 * never resumes a task still running (internal.h).
 */
void mn_park(void (*unlockf)(void *), void *arg, const char *reason)
{
	struct mn_m *m = mn_getm();
	struct mn_g *g = m->curg;

	if (unlikely(!g))
		mn_fatal_outside("blocking libmn call (%s) outside a task", reason);
	g->waitreason = reason;
	g->waitsince = 0;
	m->unlockf = unlockf;
	m->unlockarg = arg;
	MN_PROBE2(task_block, g->id, reason);
	/* Inline, like yield's: the resumed task then returns once, not
	 * twice, with the return stack predicting wrong (see schedule). */
	mcall(m, ACT_PARK);
}

void mn_yield(void)
{
	struct mn_m *m = mn_getm();

	if (!m || !m->curg) {
		sched_yield();
		return;
	}
	mcall(m, ACT_YIELD);
}

__attribute__((used)) void mn_task_main(struct mn_g *g);
__attribute__((used)) void mn_task_main(struct mn_g *g)
{
#ifdef MN_ASAN
	__sanitizer_finish_switch_fiber(NULL, NULL, NULL);
#endif
	mn_race_task_begin(g);
	g->fn(g->arg);
	mn_race_task_exit(g);
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
 * thread for it; tmpl_reap: join its thread and free it).  Must not hold
 * tmpl_lock; m is the template thread's once this returns. */
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
 * the template thread, which frees it once the thread is gone.
 * On m's own thread, g0 only (checked), no lock held; does not return. */
void mn_thread_exit_locked(struct mn_m *m)
{
	struct mn_p *p;
	jmp_buf *jb = m->exitjb;

	mn_check(mn_tls_m == m && !m->curg, "thread exit of M %d off its g0", m->id);
	p = releasep(m);
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
	mn_race_rt_release(m);
	tmpl_hand(&mn_sched.tmpl_reap, m);
	/* m is the template thread's now.  Unwind to mstart and return from
	 * the thread function: sanitizers see an ordinary return, the g0
	 * frames are discarded. */
	longjmp(*jb, 1);
}

/* Template thread only: join the thread of @m, then nothing reads its
 * slot any more; a stale reader still finds it marked dead. */
static void reap_m(struct mn_m *m)
{
	int err = pthread_join(m->thread, NULL);

	if (err)
		mn_fatal("cannot join an exiting thread: %s", strerror(err));
	__atomic_store_n(&m->slot.seq, m->slot.seq + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&m->slot.magic, 0, __ATOMIC_RELEASE);
	mn_race_rt_acquire(m);
	mn_race_m_free(m);
}

/* ---- the scheduler loop ---- */

/* A spinning M (m->spinning) found work: stop counting it as spinning
 * and, if it was the last spinning M, wake another for the rest.  g0
 * only, must not hold sched.lock. */
static void resetspinning(struct mn_m *m)
{
	m->spinning = false;
	if (atomic_fetch_sub(&mn_sched.nmspinning, 1) == 1 && atomic_load(&mn_sched.npidle) > 0)
		mn_wakep();
}

/* True every 61st call (Go's figure) on p, owner P only.  A countdown,
 * not schedtick % 61: GCC compiles this noreturn path for size, and the
 * division it kept was a fifth of a yield's samples. */
static inline bool glob_turn(struct mn_p *p)
{
	if (p->globcheck--)
		return false;
	p->globcheck = 60;
	return true;
}

/*
 * Find a G to run, in Go's order: this P's expired timers, the global
 * queue now and then (fairness), the local queue, the global queue,
 * stealing; else give the P back and sleep until handed one.  Returns
 * with m holding a P.  g0 only, on m's own thread; must not hold any
 * runtime lock (it takes sched.lock; timers run callbacks).
 */
static struct mn_g *findrunnable(struct mn_m *m)
{
	struct mn_p *p, *p2;
	struct mn_g *g;
	int i, n, start;
	bool was_spinning, netwait;

top:
	if (!m->p)
		stopm(m);
	p = m->p;
	if (unlikely(p->nested))
		mn_netpoll_nest(p, false);	/* we poll it now */
	mn_timers_check(m, p);
	/* Only tasks parked in the netpoller are steered and go through
	 * inboxes (they count in nnetwait until they run again). */
	netwait = atomic_load_explicit(&mn_sched.nnetwait, memory_order_relaxed) > 0;
	if (netwait) {
		note_cpu(p);
		inbox_drain(p);
	}
	/* Fairness: look at the global queue now and then even when the
	 * local one is busy, or two tasks yielding to each other starve it. */
	if (glob_turn(p) && atomic_load(&mn_sched.runqsize) > 0) {
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
	/* The network, as Go's findrunnable does: while no P is idle sysmon
	 * does not wait on it (sysmon.c), the Ps look here, each at its own
	 * epoll instance, and at a stale P's: a running P that has run no
	 * task for a while (its thread off the CPU, or in a long task),
	 * whose tasks any P would run under Go's single poller.  Events
	 * ready their tasks here or on the P the netpoller steers them to
	 * (netpoll.c). */
	if (netwait) {
		int64_t now = mn_nanotime();

		/* A stale P's queued tasks first: with the network busy we
		 * would never reach the steal below, and they would wait for
		 * the thread to come back. */
		for (i = 0; i < mn_sched.nprocs; i++) {
			p2 = &mn_sched.allp[i];
			if (p2 != p && mn_netpoll_stale(p2, now) && (g = runqsteal(p, p2, true)))
				return g;
		}
		if (mn_netpoll_poll(p) + mn_netpoll_poll_stale(p, now) > 0)
			goto top;
	}

	/* Tasks steered to a P that went idle since. */
	n = mn_sched.nprocs;
	for (i = 0; i < n && netwait; i++) {
		p2 = &mn_sched.allp[i];
		if (p2 != p && atomic_load(&p2->status) != P_RUNNING && (g = mn_inbox_take(p2))) {
			mn_inject_on(p, g);
			goto top;
		}
	}
	/* Steal, unless enough Ms are spinning already (they would only
	 * burn CPU fighting over the same queues). */
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
			/* Its network events too, which it polls only
			 * when out of work itself. */
			if (tries == 0 && atomic_load_explicit(&mn_sched.nnetwait, memory_order_relaxed) > 0 &&
			    mn_netpoll_poll(p2) > 0)
				goto top;
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
		if (!runqempty(p2) || atomic_load(&mn_sched.runqsize) ||
		    (atomic_load(&p2->inbox) && atomic_load(&p2->status) != P_RUNNING)) {
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

/* The locked M waits, without a P, until its task is runnable again
 * (startlockedm hands it a P).  g0 only, m->lockedg set; no lock held. */
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

/* g is locked to another M, waiting in stoplockedm: give it our P and
 * wait.  g0 only, m holds a P; no lock held. */
static void startlockedm(struct mn_m *m, struct mn_g *g)
{
	struct mn_m *mp = g->lockedm;
	struct mn_p *p = releasep(m);

	mp->nextp = p;
	notewakeup(mp);
	stopm(m);
}

/*
 * Run g on m until it switches back, then do what it asked (m->action).
 * g0 only, m holds a P (checked: p is loaded anyway), g is G_RUNNABLE
 * (checked in debug builds), taken off every queue, and locked to no
 * other M.
 */
static inline __attribute__((always_inline)) void execute(struct mn_m *m, struct mn_g *g)
{
	struct mn_p *p = m->p;
	bool first = !g->started;

	mn_check(p, "execute: M %d holds no P", m->id);
	mn_dcheck(atomic_load(&g->status) == G_RUNNABLE && (!g->lockedm || g->lockedm == m),
		  "execute: task %llu in state %d, locked to M %d", (unsigned long long)g->id,
		  atomic_load(&g->status), g->lockedm ? g->lockedm->id : -1);
	if (first) {
		if (!g->stack)
			mn_stack_get(p, g);
		mn_g_prepare(g);
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
	switch_to(&m->g0, g, &m->g0.sp, g->sp, m);

	/* Back on g0: the task's registers are saved in g->sp. */
	m->curg = NULL;
	mn_m_publish(m, 0, 0);
	p = m->p;
	switch (m->action) {
	case ACT_YIELD:
		atomic_store_explicit(&g->status, G_RUNNABLE, memory_order_relaxed);
		runqput(p, g, false);
		break;
	case ACT_PARK:
		/* Relaxed: unlockf's release publishes it to the waker. */
		atomic_store_explicit(&g->status, G_WAITING, memory_order_relaxed);
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
		atomic_store_explicit(&g->status, G_DEAD, memory_order_relaxed);
		g->lockcount = 0;
		g->lockedm = NULL;
		ntasks_add(p, -1);
		if (locked)
			mn_race_thread_follows(g);
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

/* The scheduler loop of m, on its g0; never returns (the thread exits
 * by longjmp from mn_thread_exit_locked).  execute is inlined, once: a
 * switch leaves the return stack holding the other context's return
 * addresses, so g0 resumes in this loop rather than in a function that
 * would return through a mispredicted ret (yield 0.77, ping-pong 0.86,
 * spawn_join 0.84 of the times with execute out of line, alternating
 * pairs on the AMD EPYC host of 2026-12-02). */
static __attribute__((noreturn)) void schedule(struct mn_m *m)
{
	struct mn_g *g;

	for (;;) {
		if (m->lockedg) {
			stoplockedm(m);
			g = m->lockedg;
		} else {
			g = findrunnable(m);
			if (m->spinning)
				resetspinning(m);
			if (g->lockedm && g->lockedm != m) {
				startlockedm(m, g);
				continue;
			}
		}
		execute(m, g);
	}
}

/* ---- thread creation through the template thread ---- */

/* A new M's thread, cloned by the template thread: listed in the
 * registry before it takes its P (m->nextp) and runs anything. */
static void *mstart(void *arg)
{
	struct mn_m *m = arg;
	jmp_buf exitjb;
	int fd;

	mn_tls_m = m;
	m->g0env = mn_fpenv_read();
	m->tid = (pid_t)syscall(SYS_gettid);
	fd = open("/proc/thread-self", O_PATH | O_DIRECTORY | O_CLOEXEC);
	m->home_ok = fd >= 0 && ns_set_read(fd, &m->home) == 0;
	if (fd >= 0)
		close(fd);
	mn_race_thread_start(m);
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

/* A new M to run p (held by no M).  Any thread: the template thread
 * creates the thread itself.  Must not hold sched.lock or tmpl_lock. */
void mn_newm(struct mn_p *p, bool spinning)
{
	struct mn_m *m = calloc(1, sizeof(*m));

	if (!m)
		mn_fatal("out of memory allocating a thread");
	m->id = (int)__atomic_add_fetch(&nextmid, 1, __ATOMIC_RELAXED);
	m->nextp = p;
	m->spinning = spinning;
	m->reg_index = -1;
	mn_race_rt_release(m);	/* to the template thread: its thread, then its free */
	tmpl_hand(&mn_sched.tmpl_list, m);
}

/* The template thread: never runs a task, never changes namespace, so
 * every M it clones starts clean (Go's templateThread).  Its own struct
 * mn_m only holds its registry slot; mn_tls_m stays NULL here. */
void *mn_template_main(void *arg)
{
	struct mn_m self = { .reg_index = -1 };
	pthread_attr_t attr;
	struct mn_m *list, *reap, *m;
	int err;

	self.tid = (pid_t)syscall(SYS_gettid);
	mn_registry_add(&self, MN_ABI_THREAD_TEMPLATE);
	sem_post(&mn_runtime_threads_up);
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
			mn_race_rt_acquire(m);
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
