// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-process facts for the BPF programs, found off the ring callbacks.
 *
 * Naming the task on a thread needs the process's binaries read: a Go
 * binary's DWARF for g's offsets (bpf_rt_go.c), the maps and ELF symbols
 * of libmn and a USDT probe attached in its file (bpf_rt_libmn.c).  That takes
 * milliseconds to seconds, and every exec on the host asks for it.  Done
 * in a ring buffer callback, it kept the consumer from reading the events
 * ring meanwhile (a busy host lost records for it).  So the callbacks only
 * queue a pid here, and one worker thread does the reading.
 *
 * Hold-exec protocol (trace -p, -- CMD): the BPF side stops a followed
 * process at exec (SIGSTOP, then the execs record), so that its Go offsets
 * and libmn slots are known before its first setns.  Each such record is
 * queued here and never dropped; the worker checks the new program, then
 * sends SIGCONT.  A followed process whose thread is tainted while the
 * system call hook is off is held the same way (NSTAINT_F_HELD): the
 * consumer attaches the hook, and the worker resumes it once its tasks
 * can be named.  From procinfo_stop on nothing is checked any more, and
 * whatever is still held is resumed at once.
 *
 * Threads: the queue is shared (lock, priority-inheriting); everything else (the probes
 * attached, the pids read, the warnings given) belongs to whoever runs the
 * checks: the caller before procinfo_start, the worker until it ends.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

#include "source/bpf_procinfo.h"
#include "source/bpf_runtime.h"

/*
 * Checks of processes nobody waits for (no hold) beyond this many queued
 * are skipped and counted: the first taint of such a process queues its
 * check again.  Held execs are never skipped.
 */
#define PI_QUEUE_UNHELD	4096
/* Report rings found and not yet taken by the drain thread, at most. */
#define PI_RINGS	1024

enum pi_kind { PI_TAINTED, PI_TAINTED_HELD, PI_EXEC };

struct pi_item {
	__u32 pid;
	enum pi_kind kind;
};

struct procinfo {
	struct nstaint_bpf *skel;
	bool follow;		/* only followed processes; execs are held */

	pthread_mutex_t lock;	/* the queue and the two flags below */
	pthread_cond_t more;
	struct pi_item *q;	/* a ring of @cap items, @n from @head */
	size_t cap, head, n, nunheld;
	unsigned long long skipped;
	bool running;		/* the worker exists */
	bool stopping;		/* check nothing more; resume, then end */
	pthread_t worker;

	/* Each runtime's state: the checker's own (see Threads above). */
	void *rt[BPF_RUNTIMES_MAX];

	/* Rings found: the checker pushes, the drain thread takes (no lock
	 * on its path). */
	struct pi_ring {
		__u32 pid;
		__s32 fd;
	} rings[PI_RINGS];
	_Atomic unsigned long rings_head, rings_tail;
	_Atomic unsigned long long rings_dropped;
};

static bool stopping(struct procinfo *pi)
{
	bool s;

	pthread_mutex_lock(&pi->lock);
	s = pi->stopping;
	pthread_mutex_unlock(&pi->lock);
	return s;
}

static void resume(__u32 pid)
{
	kill(pid, SIGCONT);
}

/* The runtimes whose tasks the BPF side names: one line each. */
static const struct bpf_runtime *const runtimes[] = {
	&bpf_runtime_go,
	&bpf_runtime_libmn,
};

#define NRUNTIMES (sizeof(runtimes) / sizeof(runtimes[0]))
_Static_assert(NRUNTIMES <= BPF_RUNTIMES_MAX, "raise BPF_RUNTIMES_MAX");

struct nstaint_bpf *procinfo_skel(const struct procinfo *pi)
{
	return pi->skel;
}

bool procinfo_follows(const struct procinfo *pi)
{
	return pi->follow;
}

bool procinfo_stopping(struct procinfo *pi)
{
	return stopping(pi);
}

void procinfo_ring_found(struct procinfo *pi, __u32 pid, int fd)
{
	unsigned long h = atomic_load_explicit(&pi->rings_head,
					       memory_order_relaxed);

	if (h - atomic_load_explicit(&pi->rings_tail, memory_order_acquire) ==
	    PI_RINGS) {
		atomic_fetch_add(&pi->rings_dropped, 1);
		return;
	}
	pi->rings[h % PI_RINGS] = (struct pi_ring){ pid, fd };
	atomic_store_explicit(&pi->rings_head, h + 1, memory_order_release);
}

void procinfo_rings_take(struct procinfo *pi,
			 void (*fn)(void *ctx, __u32 pid, int fd), void *ctx)
{
	unsigned long t = atomic_load_explicit(&pi->rings_tail,
					       memory_order_relaxed);
	unsigned long h = atomic_load_explicit(&pi->rings_head,
					       memory_order_acquire);
	struct pi_ring r;

	for (; t != h; t++) {
		r = pi->rings[t % PI_RINGS];
		atomic_store_explicit(&pi->rings_tail, t + 1,
				      memory_order_release);
		fn(ctx, r.pid, r.fd);
	}
}

void procinfo_check_at_start(struct procinfo *pi, __u32 pid)
{
	for (size_t i = 0; i < NRUNTIMES; i++)
		if (runtimes[i]->at_start)
			runtimes[i]->check(pi, pi->rt[i], pid, false);
}

static void check(struct procinfo *pi, const struct pi_item *it)
{
	for (size_t i = 0; i < NRUNTIMES; i++)
		runtimes[i]->check(pi, pi->rt[i], it->pid,
				   it->kind == PI_EXEC);
}

static bool held(const struct procinfo *pi, const struct pi_item *it)
{
	return (pi->follow && it->kind == PI_EXEC) ||
	       it->kind == PI_TAINTED_HELD;
}

static struct pi_item *at(struct procinfo *pi, size_t i)
{
	return &pi->q[(pi->head + i) % pi->cap];
}

/* Under the lock: one more slot, in order. */
static int grow(struct procinfo *pi)
{
	size_t cap = pi->cap ? 2 * pi->cap : 64, i;
	struct pi_item *q = malloc(cap * sizeof(*q));

	if (!q)
		return -ENOMEM;
	for (i = 0; i < pi->n; i++)
		q[i] = *at(pi, i);
	free(pi->q);
	pi->q = q;
	pi->cap = cap;
	pi->head = 0;
	return 0;
}

/*
 * Queue @pid for the worker.  A check already queued is not queued twice;
 * past PI_QUEUE_UNHELD an unheld one is skipped.  A held exec that cannot
 * be queued (after procinfo_stop, or out of memory) is resumed at once,
 * unchecked: a stopped process is worse than an unnamed task.
 */
static void push(struct procinfo *pi, __u32 pid, enum pi_kind kind)
{
	struct pi_item it = { pid, kind };
	bool hold = held(pi, &it);
	size_t i;

	pthread_mutex_lock(&pi->lock);
	if (pi->stopping)
		goto refuse;
	if (!hold) {
		for (i = 0; i < pi->n; i++)
			if (at(pi, i)->pid == pid && at(pi, i)->kind == kind)
				goto out;
		if (pi->nunheld >= PI_QUEUE_UNHELD) {
			pi->skipped++;
			goto out;
		}
	}
	if (pi->n == pi->cap && grow(pi)) {
		if (hold)
			fprintf(stderr, "nstaint: out of memory: pid %u "
				"resumed before its program was read\n", pid);
		goto refuse;
	}
	*at(pi, pi->n++) = it;
	pi->nunheld += !hold;
	pthread_cond_signal(&pi->more);
out:
	pthread_mutex_unlock(&pi->lock);
	return;
refuse:
	pthread_mutex_unlock(&pi->lock);
	if (hold)
		resume(pid);
}

void procinfo_tainted(struct procinfo *pi, __u32 pid, bool held)
{
	push(pi, pid, held ? PI_TAINTED_HELD : PI_TAINTED);
}

void procinfo_exec(struct procinfo *pi, __u32 pid)
{
	push(pi, pid, PI_EXEC);
}

/* Under the lock, @pi->n > 0. */
static struct pi_item pop(struct procinfo *pi)
{
	struct pi_item it = *at(pi, 0);

	pi->head = (pi->head + 1) % pi->cap;
	pi->n--;
	pi->nunheld -= !held(pi, &it);
	return it;
}

/* Check each queued process, then resume it if held; once stopping,
 * only resume, until the queue is empty. */
static void *work(void *arg)
{
	struct procinfo *pi = arg;
	struct pi_item it;
	bool stop;

	pthread_mutex_lock(&pi->lock);
	for (;;) {
		while (!pi->n && !pi->stopping)
			pthread_cond_wait(&pi->more, &pi->lock);
		if (!pi->n)
			break;
		it = pop(pi);
		stop = pi->stopping;
		pthread_mutex_unlock(&pi->lock);
		if (!stop)
			check(pi, &it);
		if (held(pi, &it))
			resume(it.pid);
		pthread_mutex_lock(&pi->lock);
	}
	pthread_mutex_unlock(&pi->lock);
	return NULL;
}

struct procinfo *procinfo_new(struct nstaint_bpf *skel, bool follow)
{
	struct procinfo *pi = calloc(1, sizeof(*pi));
	pthread_mutexattr_t ma;

	if (!pi)
		return NULL;
	pi->skel = skel;
	pi->follow = follow;
	for (size_t i = 0; i < NRUNTIMES; i++) {
		pi->rt[i] = calloc(1, runtimes[i]->state_size);
		if (!pi->rt[i]) {
			while (i--)
				free(pi->rt[i]);
			free(pi);
			return NULL;
		}
	}
	/*
	 * The drain thread queues here (real-time, pipeline.c): priority
	 * inheritance lifts a worker preempted while it holds the lock,
	 * instead of leaving the drain thread waiting behind every
	 * fair-class task on the host.
	 */
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setprotocol(&ma, PTHREAD_PRIO_INHERIT);
	pthread_mutex_init(&pi->lock, &ma);
	pthread_mutexattr_destroy(&ma);
	pthread_cond_init(&pi->more, NULL);
	return pi;
}

/* Signals (Ctrl-C, SIGTERM) go to the thread that polls the rings. */
int procinfo_start(struct procinfo *pi)
{
	sigset_t all, old;
	int err;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&pi->worker, NULL, work, pi);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		return -err;
	pi->running = true;
	return 0;
}

void procinfo_stop(struct procinfo *pi)
{
	pthread_mutex_lock(&pi->lock);
	pi->stopping = true;
	pthread_cond_signal(&pi->more);
	pthread_mutex_unlock(&pi->lock);
	if (pi->running) {
		pthread_join(pi->worker, NULL);
		pi->running = false;
	}
	/* Never started: resume what was queued for it. */
	while (pi->n) {
		struct pi_item it = pop(pi);

		if (held(pi, &it))
			resume(it.pid);
	}
	if (pi->skipped)
		fprintf(stderr, "nstaint: %llu process checks skipped (more "
			"than %u queued): tasks in those processes may have "
			"gone unnamed\n", pi->skipped, PI_QUEUE_UNHELD);
	pi->skipped = 0;
	if (atomic_load(&pi->rings_dropped))
		fprintf(stderr, "nstaint: %llu report rings found while %u "
			"were waiting to be opened: not opened\n",
			atomic_load(&pi->rings_dropped), PI_RINGS);
	atomic_store(&pi->rings_dropped, 0);
}

void procinfo_free(struct procinfo *pi)
{
	if (!pi)
		return;
	procinfo_stop(pi);
	for (size_t i = 0; i < NRUNTIMES; i++) {
		if (runtimes[i]->release)
			runtimes[i]->release(pi->rt[i]);
		free(pi->rt[i]);
	}
	free(pi->q);
	pthread_cond_destroy(&pi->more);
	pthread_mutex_destroy(&pi->lock);
	free(pi);
}
