/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libmn: an M:N task runtime for C in the image of Go's G-M-P scheduler,
 * whose threads cannot silently carry a namespace change from one task to
 * the next.  Every public name starts with mn_.  See docs/libmn.md.
 *
 * Tasks are cooperative: a task runs until it blocks in libmn (channel,
 * lock, sleep, mn_read...), calls mn_yield() or returns.  There is no
 * preemption of a task that never does any of these.
 */
#ifndef MN_H
#define MN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#pragma GCC visibility push(default)

/* ---- runtime and tasks ---- */

/* Start the runtime (once; later calls reuse it), run main_fn(arg) as task
 * 1 and return its value when it returns.  Other tasks may still exist. */
int mn_main(int (*main_fn)(void *), void *arg);

/* Start fn(arg) as a new task.  Returns its id.  The macro records the
 * call site, shown in fatal errors, deadlock and leak reports. */
uint64_t mn_go_at(void (*fn)(void *), void *arg, const char *file, int line);
#define mn_go(fn, arg) mn_go_at((fn), (arg), __FILE__, __LINE__)

void mn_yield(void);			/* let other tasks run */
uint64_t mn_task_id(void);		/* 0 outside a task */
int mn_proc_id(void);			/* P the caller runs on, -1 if none */
int mn_nprocs(void);			/* number of Ps (MN_PROCS) */
int64_t mn_now(void);			/* CLOCK_MONOTONIC in ns */
void mn_sleep(int64_t ns);

/* Blocking system calls: bracket a call that may block the thread so the
 * monitor can hand the P to another thread while it blocks. */
void mn_syscall_enter(void);
void mn_syscall_exit(void);

/* ---- threads and namespaces ---- */

/* Pin the calling task to its thread (nests).  A task that returns while
 * locked takes the thread with it: the thread exits.  At the outermost
 * unlock, a thread whose namespace set differs from the one it was created
 * with is retired (it exits) instead of running other tasks, with a warning. */
void mn_lock_thread(void);
void mn_unlock_thread(void);
int mn_thread_locked(void);		/* current lock depth */

/* Run fn(arg) inside namespace nsfd (setns(2) nstype, 0 = any) on a
 * dedicated thread that exits afterwards.  Returns fn's value, or -errno
 * if entering the namespace failed (fn is then not called). */
int mn_ns_do(int nsfd, int nstype, int (*fn)(void *), void *arg);
/* Same, with the namespace named by path (e.g. /proc/PID/ns/net). */
int mn_ns_do_path(const char *path, int nstype, int (*fn)(void *), void *arg);

/* ---- channels and select ---- */

typedef struct mn_chan mn_chan;

mn_chan *mn_chan_make(size_t elem_size, size_t cap);
void mn_chan_send(mn_chan *c, const void *elem);
bool mn_chan_recv(mn_chan *c, void *elem);	/* false: closed and empty */
void mn_chan_close(mn_chan *c);
void mn_chan_free(mn_chan *c);			/* drop the caller's reference */
size_t mn_chan_len(mn_chan *c);
size_t mn_chan_cap(mn_chan *c);

enum mn_sel_dir { MN_SEL_RECV = 0, MN_SEL_SEND = 1 };

struct mn_sel_case {
	mn_chan *chan;		/* NULL: never ready */
	int dir;		/* enum mn_sel_dir */
	void *elem;		/* send: value to send; recv: where to store (may be NULL) */
	bool ok;		/* recv: false if the channel was closed */
};

#define MN_FOREVER	(-1)
/* Wait until one case can proceed and do it; returns its index.  With
 * timeout_ns == 0 it never blocks (Go's default); with timeout_ns > 0 it
 * gives up after that long.  Returns -1 when nothing was ready in time.
 * Any number of cases: past 16 their bookkeeping is malloc'ed, not put on
 * the task's small stack. */
int mn_select(struct mn_sel_case *cases, int ncases, int64_t timeout_ns);

/* A channel (elements int64_t: the mn_now() of firing, capacity 1) that
 * receives once after ns.  Free it with mn_chan_free. */
mn_chan *mn_after(int64_t ns);

/* ---- synchronisation (zero-initialised = ready to use) ---- */

typedef struct { uint32_t state; uint32_t ilock; void *wq[2]; const char *file; int line; } mn_mutex;
void mn_mutex_lock(mn_mutex *mu);
bool mn_mutex_trylock(mn_mutex *mu);
void mn_mutex_unlock(mn_mutex *mu);

/*
 * Not API (mn__ names): the mutex's fast paths, inline in the caller as
 * Go's sync.Mutex's are, since a call and its return cost a third of an
 * uncontended lock and unlock (docs/libmn.md, "Mutex").  The state word's
 * byte 0 is LOCKED, byte 1 WAITERS; the protocol is user/libmn/sync.c's,
 * which uses these same two functions.  A caller takes the library's path
 * whenever there is more to do than the fast path: a held mutex, waiters
 * to wake, a race detector linked in (mnrace must see every lock), or a
 * caller built with TSan (its lock must reach libmn's annotations).
 */
struct mnrace_libmn_abi;
extern const struct mnrace_libmn_abi mnrace_libmn_abi __attribute__((weak));
/* The library's lock, after the fast path's attempt (@locked: it won). */
void mn__mutex_lock_slow(mn_mutex *mu, bool locked);
/* The library's whole unlock (checks, race hook, release, wake). */
void mn__mutex_unlock_slow(mn_mutex *mu);
/* After a fast release that found WAITERS: wake the first waiter. */
void mn__mutex_wake(mn_mutex *mu);

#ifdef MN_BUILDING_LIBMN
#define MN__FAST static inline
#else	/* gnu_inline: no symbol of its own, ever (always inlined) */
#define MN__FAST extern __inline __attribute__((__gnu_inline__, __always_inline__))
#endif

/* Take LOCKED if it is free (acquire): a test-and-set, cheaper than a
 * CAS here, and 1 written over a held mutex's 1 changes nothing. */
MN__FAST bool mn__mutex_trylock_fast(mn_mutex *mu)
{
	return !__atomic_exchange_n((uint8_t *)&mu->state, 1, __ATOMIC_ACQUIRE);
}

/* Release LOCKED, held by the caller, with a plain store (sync.c says why
 * no fence is needed); false if WAITERS then asks for a wake. */
MN__FAST bool mn__mutex_unlock_fast(mn_mutex *mu)
{
	__atomic_store_n((uint8_t *)&mu->state, 0, __ATOMIC_RELEASE);
	return !__builtin_expect(__atomic_load_n((uint8_t *)&mu->state + 1, __ATOMIC_RELAXED), 0);
}

#if defined(__SANITIZE_THREAD__)	/* gcc */
#define MN__TSAN 1
#elif defined(__has_feature)		/* clang */
#if __has_feature(thread_sanitizer)
#define MN__TSAN 1
#endif
#endif
#if !defined(MN_BUILDING_LIBMN) && !defined(MN__TSAN) && !defined(MN_NO_INLINE)
/* Inlined here; the library's definition is the symbol (gnu_inline). */
MN__FAST void mn_mutex_lock(mn_mutex *mu)
{
	bool locked = mn__mutex_trylock_fast(mu);

	if (__builtin_expect(!locked || &mnrace_libmn_abi != NULL, 0))
		mn__mutex_lock_slow(mu, locked);
}

MN__FAST void mn_mutex_unlock(mn_mutex *mu)
{
	if (__builtin_expect(!*(volatile uint8_t *)&mu->state || &mnrace_libmn_abi != NULL, 0))
		mn__mutex_unlock_slow(mu);
	else if (!mn__mutex_unlock_fast(mu))
		mn__mutex_wake(mu);
}
#endif
#undef MN__FAST
#undef MN__TSAN

typedef struct { uint32_t ilock; int readers; int writer; int wwait; void *rq[2]; void *wq[2]; } mn_rwmutex;
void mn_rwmutex_rlock(mn_rwmutex *rw);
void mn_rwmutex_runlock(mn_rwmutex *rw);
void mn_rwmutex_lock(mn_rwmutex *rw);
void mn_rwmutex_unlock(mn_rwmutex *rw);

typedef struct { uint32_t ilock; void *wq[2]; } mn_cond;
void mn_cond_wait(mn_cond *c, mn_mutex *mu);
void mn_cond_signal(mn_cond *c);
void mn_cond_broadcast(mn_cond *c);

typedef struct { uint32_t done; mn_mutex mu; } mn_once;
void mn_once_do(mn_once *o, void (*fn)(void *), void *arg);

typedef struct { int64_t count; uint32_t ilock; uint32_t waiters; uint32_t waking; void *wq[2]; } mn_waitgroup;
void mn_wg_add(mn_waitgroup *wg, int64_t delta);
void mn_wg_done(mn_waitgroup *wg);
void mn_wg_wait(mn_waitgroup *wg);

typedef struct { int64_t count; uint32_t ilock; void *wq[2]; } mn_sem;
void mn_sem_init(mn_sem *s, int64_t count);
void mn_sem_acquire(mn_sem *s);
bool mn_sem_tryacquire(mn_sem *s);
void mn_sem_release(mn_sem *s);

/* ---- network poller (fds are made non-blocking) ---- */

/* Errors are returned as -errno (errno is set too, but a task may resume
 * on another thread, so prefer the return value).  Deadlines are absolute
 * mn_now() values; 0 = none.  On expiry the call returns -ETIMEDOUT. */
ssize_t mn_read(int fd, void *buf, size_t len);
ssize_t mn_write(int fd, const void *buf, size_t len);	/* writes all */
int mn_accept(int fd, struct sockaddr *sa, socklen_t *salen);
int mn_connect(int fd, const struct sockaddr *sa, socklen_t salen);
void mn_set_deadline(int fd, int64_t read_deadline, int64_t write_deadline);
int mn_close(int fd);			/* wakes waiters (-EBADF), then close(2) */

/* ---- contexts (Go's context package) ---- */

typedef struct mn_ctx mn_ctx;
enum { MN_CTX_OK = 0, MN_CTX_CANCELED = 1, MN_CTX_DEADLINE_EXCEEDED = 2 };

mn_ctx *mn_ctx_background(void);
mn_ctx *mn_ctx_with_cancel_at(mn_ctx *parent, const char *file, int line);
mn_ctx *mn_ctx_with_deadline_at(mn_ctx *parent, int64_t deadline, const char *file, int line);
#define mn_ctx_with_cancel(p) mn_ctx_with_cancel_at((p), __FILE__, __LINE__)
#define mn_ctx_with_deadline(p, d) mn_ctx_with_deadline_at((p), (d), __FILE__, __LINE__)
#define mn_ctx_with_timeout(p, ns) mn_ctx_with_deadline_at((p), mn_now() + (ns), __FILE__, __LINE__)
mn_ctx *mn_ctx_with_value(mn_ctx *parent, const void *key, void *val);
void mn_ctx_cancel(mn_ctx *ctx);	/* the CancelFunc: idempotent */
void mn_ctx_release(mn_ctx *ctx);	/* drop the creator's reference */
mn_ctx *mn_ctx_ref(mn_ctx *ctx);	/* take another reference */
mn_chan *mn_ctx_done(mn_ctx *ctx);	/* NULL for background: never ready */
int mn_ctx_err(mn_ctx *ctx);
const char *mn_ctx_errstr(int err);
bool mn_ctx_deadline(mn_ctx *ctx, int64_t *deadline);
void *mn_ctx_value(mn_ctx *ctx, const void *key);

/* ---- diagnostics ---- */

/* Print tasks still blocked and cancelable contexts whose cancel was never
 * called (also done when mn_main returns if MN_LEAKS=1).  Returns the
 * number of leaks found. */
int mn_report_leaks(int fd);
void mn_dump_tasks(int fd);		/* what SIGQUIT prints */

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif
#endif
