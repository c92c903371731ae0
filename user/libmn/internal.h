/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libmn internals: the G (task), M (thread) and P (processor) structures,
 * the contract checks, and the scheduler entry points shared by the other
 * files (docs/ARCHITECTURE.md lists which file holds what).
 *
 * Invariants (compare Go's runtime/proc.go):
 *  - A G runs only on an M that holds a P, except a G in a system call
 *    (between mn_syscall_enter and mn_syscall_exit), which owns no P.
 *  - A G is in at most one run queue; a parked G is in none and is made
 *    runnable only by whoever took it off its wait list, through
 *    mn_ready()/mn_ready_next(), or mn_injectglist() for the netpoller.
 *  - Code that parks a G does so from the G's own stack with
 *    mn_park(unlockf, arg): the G's registers are saved on the switch to
 *    the M's g0 before unlockf releases the lock that let others find the
 *    G, so a waker can never resume a G that is still running.
 *  - Ms are only ever created by the template thread, which never runs
 *    tasks and never changes namespace.
 */
#ifndef MN_INTERNAL_H
#define MN_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <pthread.h>
#include <semaphore.h>
#include <sys/types.h>
#include <sys/epoll.h>

/* The library defines the functions mn.h inlines (its fast paths). */
#define MN_BUILDING_LIBMN 1
#include <mn.h>
#include <nstaint/mn_abi.h>
#include <nstaint/mn_ring.h>

#ifndef __x86_64__
#error "libmn is x86-64 only: switch.S, the register frame of a new task"
#endif

#include "common/nsset.h"

#define MN_HIDDEN __attribute__((visibility("hidden")))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define RUNQ_SIZE 256
#define STACK_CACHE 32		/* free stacks a P keeps (stack.c) */

/* Environment variable @name as a number in [@min, @max] (a power of
 * two if @pow2), else @def, said on stderr if it was set (init.c). */
unsigned int mn_env_number(const char *name, unsigned int def, unsigned int min,
			   unsigned int max, bool pow2) MN_HIDDEN;
void mn_fatal(const char *fmt, ...) MN_HIDDEN __attribute__((noreturn, format(printf, 1, 2)));

/*
 * Contracts.  A function whose callers must hold something says so in
 * its comment, in Go's words: "must hold sched.lock", "owner P only" (the
 * M holding that P), "g0 only" (scheduler code on the M's own stack),
 * "sysmon only".  The important ones are also checked:
 *  - mn_check: always.  Only a load and a compare, on a line the function
 *    touches anyway, so it costs a predicted branch on the hot path.
 *  - mn_dcheck: only in a debug build (-DMN_DEBUG: the ASan and TSan
 *    flavours of the library, or make LIBMN_DEBUG=1), for checks that
 *    cost more where they sit: finding the current M is a call and a TLS
 *    load, too much for runqput on every yield.
 * A failed check is a bug in libmn, reported like any fatal error.
 */
#define mn_check(cond, ...) do { if (unlikely(!(cond))) mn_fatal(__VA_ARGS__); } while (0)
#ifdef MN_DEBUG
#define mn_dcheck(cond, ...) mn_check(cond, __VA_ARGS__)
#else
#define mn_dcheck(cond, ...) do { if (0 && (cond)) mn_fatal(__VA_ARGS__); } while (0)
#endif

/* ---- futex-based lock for runtime-internal data (thread level) ---- */
/* The word's bytes (lock_futex.c): LOCKED, and SLEEPERS (maybe a thread
 * sleeps on the futex).  Unlock has no locked instruction. */
#define MN_LK_LOCKED	0
#define MN_LK_SLEEPERS	1
void mn_lk_lock_slow(uint32_t *l) MN_HIDDEN;
void mn_lk_wake(uint32_t *l) MN_HIDDEN;
static inline uint8_t *mn_lk_byte(uint32_t *l, int i)
{
	return (uint8_t *)l + i;
}
/* Take LOCKED if it is free.  A test-and-set (xchg), not a CAS: writing
 * 1 over a held lock's 1 changes nothing, and xchg costs 1.5 ns less here
 * (a lock/unlock loop, best of 21: 5.27 ns against 6.80). */
static inline bool mn_lk_trylock(uint32_t *l)
{
	return !__atomic_exchange_n(mn_lk_byte(l, MN_LK_LOCKED), 1, __ATOMIC_ACQUIRE);
}
/* Must not hold *l already: the lock does not nest. */
static inline void mn_lk_lock(uint32_t *l)
{
	if (likely(mn_lk_trylock(l)))
		return;
	mn_lk_lock_slow(l);
}
/* Must hold *l (checked).  No fence between the store and the load: a
 * thread that goes to sleep on the lock orders them with membarrier
 * (lock_futex.c). */
static inline void mn_lk_unlock(uint32_t *l)
{
	mn_check(__atomic_load_n(mn_lk_byte(l, MN_LK_LOCKED), __ATOMIC_RELAXED),
		 "unlock of an unlocked runtime lock %p", (void *)l);
	__atomic_store_n(mn_lk_byte(l, MN_LK_LOCKED), 0, __ATOMIC_RELEASE);
	if (unlikely(__atomic_load_n(mn_lk_byte(l, MN_LK_SLEEPERS), __ATOMIC_RELAXED)))
		mn_lk_wake(l);
}
/* Somebody holds *l (not necessarily the caller): "must hold" checks. */
static inline bool mn_lk_held(uint32_t *l)
{
	return __atomic_load_n(mn_lk_byte(l, MN_LK_LOCKED), __ATOMIC_RELAXED) != 0;
}
/* membarrier(2) registered (lock_futex.c): a thread may sleep on a lock
 * whose unlock has no fence, a task on a mutex (sync.c). */
extern bool mn_membarrier_ok MN_HIDDEN;
void mn_membarrier(void) MN_HIDDEN;
void mn_futex_wait(uint32_t *addr, uint32_t val, int64_t timeout_ns) MN_HIDDEN;
void mn_futex_wake(uint32_t *addr, int n) MN_HIDDEN;

/* Sanitizer builds.  The TSan flavour of the library defines MN_TSAN
 * itself (-DMN_TSAN, not instrumented: race.h); code built with
 * -fsanitize=thread that includes this gets it too. */
#if defined(MN_TSAN)
#elif defined(__SANITIZE_THREAD__)
#define MN_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define MN_TSAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define MN_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MN_ASAN 1
#endif
#endif

/* ---- G ---- */
enum g_status { G_IDLE, G_RUNNABLE, G_RUNNING, G_SYSCALL, G_WAITING, G_DEAD };

struct mn_m;
struct mn_p;

/*
 * Every parked task costs this struct (malloc'ed) and the touched top
 * page of its stack: keep it small.  Ints and bools are grouped, and
 * ASan's fields exist only in its build: 152 bytes, a 160-byte malloc
 * chunk (192 and 208 before).
 */
struct mn_g {
	void *sp;			/* saved stack pointer while switched out */
	char *stack;			/* mmap base (guard page first); NULL until first run, and once dead */
	size_t stack_size;		/* usable bytes above the guard */
	uint64_t id;
	void (*fn)(void *);
	void *arg;
	struct mn_m *m;			/* M running it */
	struct mn_m *lockedm;		/* M it is locked to */
	const char *file;		/* creation site */
	uint64_t parent;		/* creating task id */
	const char *waitreason;		/* why it is parked */
	int64_t waitsince;
	/* Wakeup token for waits that several parties may end (select,
	 * timed waits): (seq << 1) | done.  Winner CASes done from 0 to 1. */
	_Atomic uint64_t token;
	void *param;			/* set by the waker (winning sudog) */
	struct mn_g *schedlink;		/* global run queue, free lists, netpoll ready lists */
	struct mn_g *alllink;		/* allgs */
	_Atomic int status;
	int lockcount;			/* mn_lock_thread depth */
	int line;			/* of file */
	bool is_main;
	bool started;			/* has run: stack holds its frames */
	void *race;			/* its race detector's handle (race.h): mnrace task, TSan fiber */
#ifdef MN_ASAN
	void *asan_fake;
	const void *asan_bottom;	/* stack bounds told to ASan on a switch */
	size_t asan_size;
#endif
};

/* ---- P ---- */
enum p_status { P_IDLE, P_RUNNING, P_SYSCALL };

struct mn_timer;
struct mn_timer_ent;

struct mn_p {
	int id;
	_Atomic int status;
	struct mn_m *m;
	_Atomic uint32_t runqhead;
	_Atomic uint32_t runqtail;
	struct mn_g *_Atomic runq[RUNQ_SIZE];
	struct mn_g *_Atomic runnext;
	uint32_t schedtick;		/* tasks run here; sysmon sums them for progress */
	uint32_t globcheck;		/* schedules left until the global queue's turn */
	_Atomic uint32_t syscalltick;
	uint32_t sysmon_tick;		/* syscalltick seen by sysmon */
	int64_t sysmon_when;
	struct mn_g *gfree;		/* dead Gs, for reuse */
	int ngfree;
	char *stacks[STACK_CACHE];	/* cached free stacks (stack.c) */
	int nstacks;
	char *chunk_next, *chunk_end;	/* stacks not yet handed out (stack.c) */
	uint32_t timers_lock;
	struct mn_timer_ent *timers;	/* 4-ary heap by when of timers and sleeping tasks (timer.c) */
	int ntimers, timers_cap;
	_Atomic int64_t timer0;		/* earliest when, 0 = none */
	uint32_t sysmon_timer_tick;	/* sysmon only: schedtick when it deferred */
	int64_t sysmon_timer_defer;	/* sysmon only: look again then (timer.c) */
	struct mn_p *link;		/* idle list */
	uint64_t rand;
	/* Task ids taken from goidgen MN_GOID_BATCH at a time, as Go's
	 * goidcache: an atomic on a shared line per spawn was a third of
	 * mn_go_at's time in skynet.  Owner P only. */
	uint64_t goidcache, goidcacheend;
	/* Tasks created here less tasks ended here (either may be negative);
	 * with mn_sched.ntasks, the live tasks (mn_ntasks).  Written by the
	 * owner P only, plain stores; read by anyone. */
	_Atomic int64_t ntasks;
	/* Network steering (netpoll.c): the CPU its M last ran on (-1: not
	 * known), and tasks readied for it by other threads' polls, a
	 * LIFO list by schedlink that the owner moves to its queue. */
	_Atomic int cpu;
	struct mn_g *_Atomic inbox;
	int epfd;			/* its fds' epoll instance (netpoll.c) */
	/* fds in epfd, an estimate (an fd closed without mn_close still
	 * counts): steering keeps the Ps' shares even (netpoll.c). */
	_Atomic int nhomed;
	/* When the owner last polled epfd: sysmon looks at a running P's
	 * only if not for SYSMON_NETPOLL.  Owner writes; relaxed. */
	_Atomic int64_t lastpoll;
	bool nested;			/* epfd is in mn_sched.epfd: while idle */
	/* schedtick as other threads last saw it changed, and when
	 * (netpoll.c: a running P that runs no task for netpoll_stale is
	 * stale).  Any thread, relaxed; a line of its own, off the
	 * owner's. */
	struct {
		_Atomic uint32_t tick;
		_Atomic int64_t when;
	} watch __attribute__((aligned(64)));
} __attribute__((aligned(64)));

#define MN_GOID_BATCH	16

/* ---- M ---- */
struct mn_m {
	int id;
	pid_t tid;
	struct mn_g g0;			/* scheduler context on the thread's own stack */
	uint64_t g0env;			/* g0's MXCSR and x87 control word (frame.h) */
	struct mn_g *curg;
	struct mn_p *p, *nextp, *oldp;
	struct mn_g *lockedg;
	bool spinning;
	bool dead;
	uint32_t park;			/* futex: 1 = woken */
	struct mn_m *schedlink;		/* idle list, or the template thread's lists */
	struct mn_m *alllink, *allprev;
	struct ns_set home;		/* namespace set at creation */
	bool home_ok;
	bool tainted;			/* mn_ns_do: never reuse */
	int reg_index;			/* registry entry, -1 = none */
	/* action for g0 after the running G switched to it */
	int action;
	void (*unlockf)(void *);
	void *unlockarg;
	/* The clock as mn_sleep read it, for the timer check that follows
	 * the sleeper's park (mn_timers_check): valid while p->schedtick is
	 * still now_tick. */
	int64_t now_hint;
	uint32_t now_tick;
	/* mn_abi.h: at this address for the thread's whole life, so the M
	 * is freed only once the thread is gone (reap_m joins it). */
	struct mn_abi_slot slot;
	void *exitjb;			/* jmp_buf in mstart: thread exit */
	pthread_t thread;		/* joined by the template thread */
};

enum { ACT_NONE, ACT_YIELD, ACT_PARK, ACT_EXIT, ACT_SYSEXIT, ACT_RETIRE };

/* ---- global scheduler state ---- */
struct mn_sched {
	uint32_t lock;
	struct mn_g *runqhead, *runqtail;
	_Atomic int runqsize;
	struct mn_p *pidle;
	_Atomic int npidle;
	struct mn_m *midle;
	int nmidle;
	_Atomic int nmspinning;
	int nprocs;
	struct mn_p *allp;
	_Atomic uint64_t goidgen;
	_Atomic int64_t ntasks;		/* live tasks made or ended without a P; see mn_p */
	_Atomic int nsyscall;		/* tasks inside mn_syscall_enter/exit */
	_Atomic int nnetwait;		/* tasks parked in the netpoller */
	_Atomic int nlockedwait;	/* locked Ms waiting for their task */
	uint32_t allm_lock;
	struct mn_m *allm;
	int mcount;
	uint32_t allg_lock;
	struct mn_g *allg;
	uint32_t gfree_lock;
	struct mn_g *gfree;		/* global pool of dead Gs */
	size_t stack_size;
	/* template thread */
	uint32_t tmpl_lock;
	struct mn_m *tmpl_list;		/* Ms to start */
	struct mn_m *tmpl_reap;		/* Ms whose thread is exiting: join, free */
	uint32_t tmpl_wake;
	/* sysmon */
	int epfd;			/* the Ps' epoll instances and evfd */
	int evfd;			/* sysmon's wakeup (mn_sysmon_kick) */
	int sysmon_ep;			/* evfd only: sysmon's wait while no P is idle */
	_Atomic int sysmon_busy;	/* sysmon waits on sysmon_ep (sysmon.c) */
	/* sysmon sleeps with every P idle and nothing due for
	 * SYSMON_NETPOLL: the P that stops being idle kicks it (pidleget),
	 * or nobody would look at the network or at stale Ps meanwhile. */
	_Atomic int sysmon_allidle;
	/* ns a running P may run no task before it is stale (netpoll.c),
	 * 0 never: MN_NETPOLL_STALE_US, default 2 ms.  Set at init. */
	int64_t netpoll_stale;
	_Atomic int64_t sysmon_until;	/* when sysmon will wake by itself */
	bool started;
	uint32_t main_done;		/* futex word: __atomic_* builtins only */
	int main_ret;
	_Atomic int leak_check;
	/* The P whose M last ran on each CPU (netpoll steering), -1 none;
	 * ncpu_map entries. */
	_Atomic int *cpu_p;
	int ncpu_map;
};

extern struct mn_sched mn_sched MN_HIDDEN;
extern __thread struct mn_m *mn_tls_m MN_HIDDEN;

/* Do not let the compiler cache the TLS address across a switch: a task
 * can resume on another thread after any call that may park. */
__attribute__((noinline)) struct mn_m *mn_getm(void) MN_HIDDEN;
static inline struct mn_g *mn_getg(void)
{
	struct mn_m *m = mn_getm();
	return m ? m->curg : NULL;
}

/* "Owner P only": p is held by the calling thread's M.  Costs a call and
 * a TLS load, so it is for mn_dcheck. */
static inline bool mn_owns_p(struct mn_p *p)
{
	struct mn_m *m = mn_getm();

	return m && m->p == p;
}

void mn_ctx_switch(void **save_sp, void *new_sp) MN_HIDDEN;
void mn_ctx_switch_g0(void **save_sp, void *new_sp, uint64_t fpenv) MN_HIDDEN;
void mn_task_entry(void) MN_HIDDEN;

void mn_runtime_init(void) MN_HIDDEN;
void mn_ready(struct mn_g *g) MN_HIDDEN;
void mn_ready_next(struct mn_g *g, bool next) MN_HIDDEN;
void mn_park(void (*unlockf)(void *), void *arg, const char *reason) MN_HIDDEN;
void mn_mcall(int action) MN_HIDDEN;
void mn_wakep(void) MN_HIDDEN;
void mn_handoffp(struct mn_p *p) MN_HIDDEN;
void mn_injectglist(struct mn_g *list) MN_HIDDEN;
void mn_sysmon_kick(void) MN_HIDDEN;
void mn_newm(struct mn_p *p, bool spinning) MN_HIDDEN;
void *mn_template_main(void *arg) MN_HIDDEN;
void *mn_sysmon_main(void *arg) MN_HIDDEN;
void mn_on_sigquit(int sig) MN_HIDDEN;
bool mn_retake(int64_t now) MN_HIDDEN;
extern sem_t mn_runtime_threads_up MN_HIDDEN;
void mn_m_publish(struct mn_m *m, uint64_t task, int locked) MN_HIDDEN;
void mn_registry_add(struct mn_m *m, uint32_t flags) MN_HIDDEN;
void mn_registry_del(struct mn_m *m) MN_HIDDEN;
void mn_thread_exit_locked(struct mn_m *m) MN_HIDDEN;
int64_t mn_nanotime(void) MN_HIDDEN;
/* A fatal misuse by @g, of kind @code (enum mn_ring_error): stderr and
 * the report ring (ring.c). */
void mn_fatal_g(struct mn_g *g, int code, const char *fmt, ...) MN_HIDDEN __attribute__((noreturn, format(printf, 3, 4)));
/* A task-only call made outside a task. */
void mn_fatal_outside(const char *fmt, ...) MN_HIDDEN __attribute__((noreturn, format(printf, 1, 2)));
extern struct mn_abi_registry mn_nstaint_registry;	/* registry.c, exported */
void mn_fatal_deadlock(void) MN_HIDDEN __attribute__((noreturn));
void mn_describe_g(int fd, struct mn_g *g) MN_HIDDEN;
bool mn_deadlock_check(void) MN_HIDDEN;
/* Live tasks: exact while every P is idle, a snapshot otherwise. */
int64_t mn_ntasks(void) MN_HIDDEN;
void mn_debug_init(void) MN_HIDDEN;

/* ---- stacks (stack.c) ---- */
extern size_t mn_pagesz MN_HIDDEN;
void mn_stack_init(void) MN_HIDDEN;
void mn_stack_get(struct mn_p *p, struct mn_g *g) MN_HIDDEN;
void mn_stack_put(struct mn_p *p, char *stk) MN_HIDDEN;
void mn_g_prepare(struct mn_g *g) MN_HIDDEN;

/* ---- the P idle list, holding a P (proc.c, syscall.c) ---- */

/*
 * When sysmon must look at a timer of p due at @when (0: none).  A
 * running P runs its own timers at its next schedule (findrunnable);
 * sysmon running them too fought the P's M over its timers lock and sent
 * every woken task through the global queue (perf, 10k sleepers: 12,480
 * sysmon wakeups, 3,519 membarriers of threads about to sleep on a
 * timers lock).  So a running P gets SYSMON_TIMER_SLACK to do it; sysmon
 * steps in for idle Ps, Ps in system calls and Ps kept that long by one
 * task, and gives a running P that scheduled since it last looked
 * another SYSMON_TIMER_SLACK (mn_timers_sysmon): a P merely behind on
 * its timers will reach them.  A P that goes idle with timers pending
 * kicks sysmon (pidleput), as does mn_timer_add for a timer sysmon would
 * look at too late.
 * seq_cst loads: each pairs with a store on the other side (sysmon's of
 * sysmon_until, pidleput's of the status).
 */
#define SYSMON_TIMER_SLACK 1000000	/* ns */
static inline int64_t mn_timers_watch(struct mn_p *p, int64_t when)
{
	return when && atomic_load(&p->status) == P_RUNNING ? when + SYSMON_TIMER_SLACK : when;
}

/* Put p's epoll instance in mn_sched.epfd (@in) or take it out
 * (netpoll.c).  p is idle and sched.lock held, or owner P only. */
void mn_netpoll_nest(struct mn_p *p, bool in) MN_HIDDEN;

/* Must hold sched.lock (checked).  p is held by no M. */
static inline void pidleput(struct mn_p *p)
{
	int64_t t;

	mn_check(mn_lk_held(&mn_sched.lock), "pidleput: sched.lock not held");
	atomic_store(&p->status, P_IDLE);
	if (atomic_load(&mn_sched.nnetwait) > 0)
		mn_netpoll_nest(p, true);	/* seq_cst: see pd_wait */
	p->m = NULL;
	p->link = mn_sched.pidle;
	mn_sched.pidle = p;
	if (atomic_fetch_add(&mn_sched.npidle, 1) + 1 == mn_sched.nprocs &&
	    !__atomic_load_n(&mn_sched.main_done, __ATOMIC_ACQUIRE))
		mn_sysmon_kick();	/* everyone idle: maybe a deadlock */
	else if (atomic_load(&mn_sched.sysmon_busy))
		mn_sysmon_kick();	/* a P is idle: sysmon waits on the network again */
	else if ((t = atomic_load(&p->timer0)) && t < atomic_load(&mn_sched.sysmon_until))
		mn_sysmon_kick();	/* sysmon gave our timers slack: no more */
}

/* Must hold sched.lock (checked). */
static inline struct mn_p *pidleget(void)
{
	struct mn_p *p = mn_sched.pidle;

	mn_check(mn_lk_held(&mn_sched.lock), "pidleget: sched.lock not held");
	if (p) {
		mn_sched.pidle = p->link;
		/* seq_cst, against sysmon's store of sysmon_allidle then
		 * load of npidle: one of us sees the other. */
		atomic_fetch_sub(&mn_sched.npidle, 1);
		if (atomic_load(&mn_sched.sysmon_allidle) &&
		    atomic_exchange(&mn_sched.sysmon_allidle, 0))
			mn_sysmon_kick();	/* a P runs: sysmon's looks are due again */
	}
	return p;
}

/*
 * On m's own thread, g0 only.  m holds no P and p is held by no M
 * (checked: two loads of lines written next): it came from the idle list
 * or was handed over in m->nextp by the M that released it.
 */
static inline void acquirep(struct mn_m *m, struct mn_p *p)
{
	mn_check(!m->p && !p->m, "acquirep: M %d holds P %d, P %d held by M %d", m->id,
		 m->p ? m->p->id : -1, p->id, p->m ? p->m->id : -1);
	m->p = p;
	p->m = m;
	atomic_store(&p->status, P_RUNNING);
}

/* On m's own thread, g0 only.  The P it returns is held by nobody: give
 * it to someone (mn_handoffp, pidleput, an M's nextp). */
static inline struct mn_p *releasep(struct mn_m *m)
{
	struct mn_p *p = m->p;

	m->p = NULL;
	if (p)
		p->m = NULL;
	return p;
}

/* token helpers */
static inline uint64_t mn_token_arm(struct mn_g *g)
{
	uint64_t t = (atomic_load_explicit(&g->token, memory_order_relaxed) | 1) + 1;
	atomic_store_explicit(&g->token, t, memory_order_release);
	return t;	/* even: armed */
}
static inline bool mn_token_win(struct mn_g *g, uint64_t armed)
{
	uint64_t t = armed;
	return atomic_compare_exchange_strong(&g->token, &t, armed | 1);
}

/* ---- timers (timer.c) ---- */
struct mn_timer {
	int64_t when;
	void (*fn)(void *arg, uint64_t seq);
	void *arg;
	uint64_t seq;
	struct mn_p *p;		/* heap it is in, NULL = not in a heap */
	int idx;
};
void mn_timer_add(struct mn_timer *t) MN_HIDDEN;
bool mn_timer_del(struct mn_timer *t) MN_HIDDEN;	/* true if removed before firing */
int64_t mn_timers_run(struct mn_p *p, int64_t now) MN_HIDDEN;	/* next when, 0 = none */
void mn_timers_check(struct mn_m *m, struct mn_p *p) MN_HIDDEN;
int64_t mn_timers_earliest(void) MN_HIDDEN;
int64_t mn_timers_sysmon(struct mn_p *p, int64_t now) MN_HIDDEN;	/* look again at, 0 = none */
int64_t mn_timers_sysmon_due(struct mn_p *p) MN_HIDDEN;

/* ---- netpoll (netpoll.c) ---- */
void mn_netpoll_init(void) MN_HIDDEN;
int mn_netpoll_poll(struct mn_p *p) MN_HIDDEN;	/* tasks readied */
int mn_netpoll_poll_stale(struct mn_p *self, int64_t now) MN_HIDDEN;	/* tasks readied */
/* @p is running and has run no task for a while (netpoll.c).  Any
 * thread, no lock held. */
bool mn_netpoll_stale(struct mn_p *p, int64_t now) MN_HIDDEN;
void mn_netpoll_sysmon(struct epoll_event *ev, int n) MN_HIDDEN;
void mn_netpoll_sysmon_look(int64_t period) MN_HIDDEN;
/* Make the G_RUNNABLE @list (linked by schedlink) runnable on @p: the
 * caller's own P's queue, another running P's inbox, or (p NULL) the
 * global queue (proc.c).  Any thread; must not hold sched.lock. */
void mn_inject_on(struct mn_p *p, struct mn_g *list) MN_HIDDEN;
/* Take @p's inbox, oldest first (proc.c): its owner, or another thread
 * when p is not running or is stale (netpoll.c).  No lock held. */
struct mn_g *mn_inbox_take(struct mn_p *p) MN_HIDDEN;

/* An unlockf for mn_park: releases the mn_lk lock at @lk (lock_futex.c). */
void mn_unlock_lk(void *lk) MN_HIDDEN;

/* ---- contexts ---- */
int mn_ctx_report_leaks(int fd) MN_HIDDEN;

/* USDT probes, provider libmn. */
#include <sys/sdt.h>
#define MN_PROBE0(n) DTRACE_PROBE(libmn, n)
#define MN_PROBE1(n, a) DTRACE_PROBE1(libmn, n, a)
#define MN_PROBE2(n, a, b) DTRACE_PROBE2(libmn, n, a, b)
#define MN_PROBE3(n, a, b, c) DTRACE_PROBE3(libmn, n, a, b, c)


#endif
