// SPDX-License-Identifier: GPL-2.0-only
/*
 * ring.c: libmn's report ring (include/nstaint/mn_ring.h, written with
 * user/common/mnring.c), so that nstaint sees on a node what libmn says
 * on the program's stderr: fatal misuses and deadlocks, leaks at exit,
 * retired threads.  The stderr text is unchanged; the ring is on unless
 * MN_RING=0, MN_RING_RECORDS sets its size (default 256).
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
 */
#include <errno.h>
#include <execinfo.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "common/mnring.h"
#include "ring.h"

#define RING_RECORDS	256

static struct mn_ring ring;
static bool ring_on;
static pid_t ring_pid;
static pthread_once_t ring_once = PTHREAD_ONCE_INIT;

static void forked_child(void)
{
	ring_on = false;
	__atomic_store_n(&mn_nstaint_registry.ring.addr, 0, __ATOMIC_RELEASE);
}

/* MN_RING_RECORDS, if it is a size the ring can have. */
static unsigned int ring_records(void)
{
	const char *e = getenv("MN_RING_RECORDS");
	unsigned long n;
	char *end;

	if (!e || !*e)
		return RING_RECORDS;
	n = strtoul(e, &end, 0);
	if (*end || n < MN_RING_NREC_MIN || n > MN_RING_NREC_MAX || (n & (n - 1))) {
		fprintf(stderr, "libmn: MN_RING_RECORDS=%s is not a power of two from %u "
			"to %u: using %u\n", e, MN_RING_NREC_MIN, MN_RING_NREC_MAX, RING_RECORDS);
		return RING_RECORDS;
	}
	return n;
}

static void ring_make(void)
{
	const char *e = getenv("MN_RING");
	struct mn_abi_ring *pub = &mn_nstaint_registry.ring;
	int err;

	if (e && !strcmp(e, "0"))
		return;
	err = mn_ring_create(&ring, ring_records());
	if (err) {
		fprintf(stderr, "libmn: no report ring (%s): reports go to stderr only\n",
			strerror(-err));
		return;
	}
	ring_pid = getpid();
	ring_on = true;
	pthread_atfork(NULL, NULL, forked_child);
	pub->fd = ring.fd;
	pub->nrec = ring.hdr->nrec;
	__atomic_store_n(&pub->addr, (__u64)(uintptr_t)ring.hdr, __ATOMIC_RELEASE);
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

void mn_ring_error(struct mn_g *g, enum mn_ring_error code, const char *msg)
{
	struct mn_ring_rec r;
	void *pcs[MN_RING_STACK + 3];
	int n, i;

	if (!ring_on)
		return;
	rec_init(&r, MN_RING_RUNTIME_ERROR, g ? g->id : 0);
	r.error.code = code;
	copy_msg(r.error.msg, msg);
	/* Skip this function and debug.c's two: the stack starts in the
	 * libmn call the program made (the deadlock verdict's is sysmon's). */
	n = backtrace(pcs, MN_RING_STACK + 3);
	for (i = 3; i < n; i++)
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
