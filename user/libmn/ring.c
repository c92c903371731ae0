// SPDX-License-Identifier: GPL-2.0-only
/*
 * ring.c: libmn's report ring (include/nstaint/mn_ring.h, written with
 * user/common/mnring.c), so that nstaint sees on a node what libmn says
 * on the program's stderr: fatal misuses and deadlocks, leaks at exit,
 * retired threads.  The stderr text is unchanged; the ring is on unless
 * MN_RING=0, MN_RING_RECORDS sets its size (default 256).
 *
 * A reader learns of the ring from the registry or, at once, from the
 * USDT probe libmn:ring_ready(fd, addr, nrec), fired once it is
 * published.  The probe has a semaphore (libmn_ring_ready_semaphore, in
 * .probes): the kernel raises it in every process mapping this file while
 * a tracer has the probe attached.  A memfd dies with its process, so
 * while that count is non-zero libmn lingers at exit and before a fatal
 * error's _exit (mn_ring_linger): up to MN_RING_LINGER_MS (default 1000)
 * until a reader has claimed the ring and read it to its head.  Nobody
 * attached: no wait at all.
 *
 * Owns: the ring and mn_nstaint_registry.ring.
 *
 * Invariants:
 *  - The ring is made once per process (pthread_once): by
 *    mn_runtime_init (mn_debug_init) before any task runs, or by the
 *    first mn_ring_report (mnrace in a program whose runtime never
 *    started); registry.ring.addr is stored last, with a release.
 *  - A forked child writes nothing: the ring is its parent's (records
 *    carry the writer's pid, and a reader only takes its process's own),
 *    and the child's registry says it has none.
 *  - Writers never wait (mn_ring_put): reports come from fatal paths.
 *    Only mn_ring_linger waits, bounded, once the process is ending.
 */
/* This TU's probes (ring_ready alone) have semaphores: <sys/sdt.h>,
 * included by internal.h, must see this first. */
#define _SDT_HAS_SEMAPHORES 1
#include <errno.h>
#include <execinfo.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "common/mnring.h"
#include "ring.h"

#define RING_RECORDS	256
#define RING_LINGER_MS	1000	/* MN_RING_LINGER_MS */
#define RING_LINGER_MAX	600000

/* Raised by the kernel while a tracer has libmn:ring_ready attached. */
unsigned short libmn_ring_ready_semaphore
	__attribute__((used, section(".probes"), visibility("hidden")));

static struct mn_ring ring;
static bool ring_on;
static pid_t ring_pid;
static unsigned int linger_ms = RING_LINGER_MS;
static pthread_once_t ring_once = PTHREAD_ONCE_INIT;

static void forked_child(void)
{
	ring_on = false;
	__atomic_store_n(&mn_nstaint_registry.ring.addr, 0, __ATOMIC_RELEASE);
}

static void linger_at_exit(void)
{
	mn_ring_linger();
}

/*
 * Fire libmn:ring_ready.  Its arguments in registers: left to itself the
 * compiler names a static's field as "24+ring(%rip)", which libbpf's
 * USDT argument parser does not take (the attach fails with EINVAL).
 */
static __attribute__((noinline)) void ring_ready(long fd, void *addr, long nrec)
{
	__asm__ volatile("" : "+r"(fd), "+r"(addr), "+r"(nrec));
	MN_PROBE3(ring_ready, fd, addr, nrec);
}

static void ring_make(void)
{
	const char *e = getenv("MN_RING");
	struct mn_abi_ring *pub = &mn_nstaint_registry.ring;
	int err;

	if (e && !strcmp(e, "0"))
		return;
	err = mn_ring_create(&ring, mn_env_number("MN_RING_RECORDS", RING_RECORDS,
						   MN_RING_NREC_MIN, MN_RING_NREC_MAX,
						   true));
	if (err) {
		fprintf(stderr, "libmn: no report ring (%s): reports go to stderr only\n",
			strerror(-err));
		return;
	}
	ring_pid = getpid();
	ring_on = true;
	linger_ms = mn_env_number("MN_RING_LINGER_MS", RING_LINGER_MS, 0,
				  RING_LINGER_MAX, false);
	pthread_atfork(NULL, NULL, forked_child);
	atexit(linger_at_exit);
	pub->fd = ring.fd;
	pub->nrec = ring.hdr->nrec;
	__atomic_store_n(&pub->addr, (__u64)(uintptr_t)ring.hdr, __ATOMIC_RELEASE);
	ring_ready(ring.fd, ring.hdr, ring.hdr->nrec);
}

static unsigned long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000ULL + t.tv_nsec / 1000000;
}

/*
 * The process ends: while a tracer is attached (the semaphore), give its
 * reader up to linger_ms to claim the ring and read every record taken.
 * Async-signal-safe (fatal paths): loads, clock_gettime, nanosleep.
 */
void mn_ring_linger(void)
{
	const struct timespec step = { 0, 1000000 };
	unsigned long long end;
	__u64 head;

	if (!ring_on || getpid() != ring_pid || !linger_ms ||
	    !__atomic_load_n(&libmn_ring_ready_semaphore, __ATOMIC_RELAXED))
		return;
	end = now_ms() + linger_ms;
	for (;;) {
		head = __atomic_load_n(&ring.hdr->head, __ATOMIC_ACQUIRE);
		if (!head)
			return;		/* nothing was ever written */
		if (__atomic_load_n(&ring.hdr->reader, __ATOMIC_ACQUIRE) &&
		    __atomic_load_n(&ring.hdr->tail, __ATOMIC_ACQUIRE) == head)
			return;
		if (now_ms() >= end)
			return;
		nanosleep(&step, NULL);
	}
}

void mn_ring_init(void)
{
	pthread_once(&ring_once, ring_make);
}

int mn_ring_report(struct mn_ring_rec *rec)
{
	pthread_once(&ring_once, ring_make);
	if (!ring_on)
		return -ENODEV;
	rec->pid = ring_pid;
	return mn_ring_put(&ring, rec);
}

/* A record of @kind about @task, from this thread. */
static void rec_init(struct mn_ring_rec *r, enum mn_ring_kind kind, unsigned long long task)
{
	struct mn_m *m = mn_getm();

	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->pid = ring_pid;
	r->tid = m ? (__u32)m->tid : (__u32)gettid();
	r->task_id = task;
}

static void copy_msg(char *dst, const char *msg)
{
	snprintf(dst, MN_RING_MSG, "%s", msg);
}

void mn_ring_error(struct mn_g *g, enum mn_ring_error code, const char *msg,
		   unsigned int skip)
{
	struct mn_ring_rec r;
	void *pcs[MN_RING_STACK + 4];
	int n, i;

	if (!ring_on)
		return;
	rec_init(&r, MN_RING_RUNTIME_ERROR, g ? g->id : 0);
	r.error.code = code;
	copy_msg(r.error.msg, msg);
	/* This function's frame and the caller's @skip: the stack starts in
	 * the libmn call the program made (the deadlock verdict's is
	 * sysmon's). */
	if (skip > 3)
		skip = 3;
	n = backtrace(pcs, MN_RING_STACK + 1 + skip);
	for (i = 1 + skip; i < n; i++)
		r.error.stack[r.error.depth++] = (__u64)(uintptr_t)pcs[i];
	mn_ring_put(&ring, &r);
}

void mn_ring_leak(enum mn_ring_kind kind, unsigned long long id,
		  unsigned long long creator, const char *msg)
{
	struct mn_ring_rec r;

	if (!ring_on)
		return;
	rec_init(&r, kind, id);
	r.leak.creator = creator;
	copy_msg(r.leak.msg, msg);
	mn_ring_put(&ring, &r);
}

void mn_ring_retired(unsigned long long task, int tid, const struct ns_set *home,
		     const struct ns_set *now, unsigned int diff)
{
	struct mn_ring_rec r;

	if (!ring_on)
		return;
	rec_init(&r, MN_RING_THREAD_RETIRED, task);
	r.retired.thread = tid;
	r.retired.ns_mask = diff;
	memcpy(r.retired.ns_old, home->ino, sizeof(r.retired.ns_old));
	memcpy(r.retired.ns_new, now->ino, sizeof(r.retired.ns_new));
	mn_ring_put(&ring, &r);
}
