// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "model/record.h"
#include "model/report.h"
#include "pipeline/pipeline.h"
#include "pipeline/queue.h"
#include "sym/symbolize.h"
#include "common/monotime.h"

/* Drain thread poll timeout: how soon it sees drain_stop or a sync. */
#define DRAIN_POLL_MS	20
/* The decoder's longest sleep while report rings are open: how late a
 * report may be (their writers make no system call to wake anybody). */
#define RINGS_POLL_MS	20
/* Its real-time priority: the lowest, above every fair-class task. */
#define DRAIN_RT_PRIO	1
#define DRAIN_NICE	-20
/* Polls after drain_stop at most: a busy host never runs dry. */
#define DRAIN_FINAL_PASSES	64

static int drain_record(void *ctx, const struct nstaint_event *ev)
{
	struct pipeline *p = ctx;
	struct qitem it = { .kind = QITEM_RECORD };

	memcpy(&it.ev, ev, sizeof(it.ev));
	queue_push(p->q, &it);	/* full: counted, reported as lost */
	return 0;
}

static void drain_exec(void *ctx, pid_t pid, __u64 ts_ns)
{
	struct pipeline *p = ctx;
	struct qitem it = { .kind = QITEM_EXEC, .pid = pid };

	/* At once, for the decoder's check after it looked a stack up... */
	execlog_note(p->execs, pid, ts_ns);
	/* ... and in order, so that it drops the cached symbols. */
	queue_push(p->q, &it);
}

static void drain_ring(void *ctx, pid_t pid, int fd)
{
	struct pipeline *p = ctx;
	struct qitem it = { .kind = QITEM_RING, .pid = pid, .fd = fd };

	queue_push(p->q, &it);	/* full: counted with the records lost */
}

static void *drain_main(void *arg)
{
	struct pipeline *p = arg;
	const struct source_out out = {
		.record = drain_record,
		.exec = drain_exec,
		.ring = drain_ring,
		.ctx = p,
	};
	sigset_t all;
	int n, final = 0;

	/* Signals are the main thread's (trace's and top's handlers). */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	/* Named, so that ps -L (and the tests) can tell it from the rest. */
	pthread_setname_np(pthread_self(), PIPELINE_DRAIN_COMM);
	/*
	 * This thread only copies records out of the kernel's ring: first
	 * in line for the CPU, so that a storm finds the ring emptied.  A
	 * nice value is not enough: with autogroups (or cgroup CPU
	 * weights) it ranks a thread inside its own group only, and the
	 * group (trace and the storm it follows) waited its turn behind
	 * other sessions' processes for tens of milliseconds while the
	 * storm filled the ring from the other CPU.  SCHED_FIFO at the
	 * lowest priority runs before every fair-class task; the thread
	 * sleeps as soon as the ring is empty, and it never waits for a
	 * lock the decoder holds (queue.c).  Without the privilege (or an
	 * RT budget in its cgroup): nice -20.  The decoder keeps the
	 * caller's class.
	 */
	if (pthread_setschedparam(pthread_self(), SCHED_FIFO,
				  &(struct sched_param){ DRAIN_RT_PRIO }))
		setpriority(PRIO_PROCESS, syscall(SYS_gettid), DRAIN_NICE);
	for (;;) {
		unsigned long req = atomic_load(&p->sync_req);
		bool stopping = atomic_load(&p->drain_stop);

		n = p->src.ops->poll(&p->src,
				     req != atomic_load(&p->sync_done) ||
				     stopping ? 0 : DRAIN_POLL_MS, &out);
		queue_wake(p->q);
		if (n < 0 && n != -EINTR) {
			atomic_store(&p->drain_err, n);
			break;
		}
		/* A pass that found nothing: all made before req is in. */
		if (n == 0)
			atomic_store(&p->sync_done, req);
		/* Stopping: what is there now, not a storm without end. */
		if (stopping && (n == 0 || ++final >= DRAIN_FINAL_PASSES))
			break;
	}
	queue_wake(p->q);
	return NULL;
}

int pipeline_open(struct pipeline *p, const char *cmd,
		  const struct source_ops *ops, const struct source_opts *o,
		  bool tracker)
{
	const char *env = getenv("NSTAINT_QUEUE_LEN");
	size_t len = PIPELINE_QUEUE_LEN;
	int err;

	if (env) {
		char *end;
		long v = strtol(env, &end, 10);

		if (*end || v < 16 || v > 1 << 24)
			fprintf(stderr, "nstaint %s: ignoring "
				"NSTAINT_QUEUE_LEN=%s (16 to %d)\n", cmd, env,
				1 << 24);
		else
			len = v;
	}
	p->cmd = cmd;
	p->rings.cmd = cmd;
	p->keep_tracker = tracker;
	p->execs = calloc(1, sizeof(*p->execs));
	p->tt = calloc(1, sizeof(*p->tt));
	p->q = queue_new(len);
	if (!p->q || !p->execs || !p->tt) {
		fprintf(stderr, "nstaint %s: out of memory\n", cmd);
		queue_free(p->q);
		free(p->execs);
		free(p->tt);
		p->tt = NULL;
		return -ENOMEM;
	}
	/* Lookups stop at three quarters full: the rest is headroom. */
	p->high_water = queue_cap(p->q) / 4 * 3;
	p->src.ops = ops;
	err = ops->open(&p->src, o);
	if (err)
		goto fail;
	err = -pthread_create(&p->drain, NULL, drain_main, p);
	if (err) {
		fprintf(stderr, "nstaint %s: cannot start a thread: %s\n", cmd,
			strerror(-err));
		ops->close(&p->src);
		goto fail;
	}
	p->drain_started = true;
	return 0;
fail:
	queue_free(p->q);
	p->q = NULL;
	free(p->execs);
	p->execs = NULL;
	free(p->tt);
	p->tt = NULL;
	return err;
}

int pipeline_add_sink(struct pipeline *p, const struct sink_ops *ops,
		      FILE *out)
{
	struct sink *s = &p->sinks[p->nsinks];
	const struct sink_opts o = { .out = out };
	int err;

	if (p->nsinks == PIPELINE_SINKS_MAX)
		return -ENOSPC;
	s->ops = ops;
	err = ops->open ? ops->open(s, &o) : 0;
	if (err)
		return err;
	p->stacks |= ops->stacks;
	p->nsinks++;
	return 0;
}

static int pass_on(struct pipeline *p, const struct record *r)
{
	int err;

	ev_count(&p->counts, &r->ev, r->lost_stage);
	tainted_tasks_note(p->tt, &r->ev);
	if (p->keep_tracker) {
		err = tracker_update(&p->tr, &r->ev);
		if (err)
			return err;
	}
	for (size_t i = 0; i < p->nsinks; i++) {
		struct sink *s = &p->sinks[i];

		err = s->ops->record(s, r);
		if (err)
			return err;
		if (s->out && __fpending(s->out) >= SINK_FLUSH_AT)
			fflush(s->out);
	}
	return 0;
}

/* What a counter of drops @d at stage @stage (*@seen of it passed on
 * so far) has gained, as one `lost` record. */
static int report_loss(struct pipeline *p, unsigned int stage,
		       unsigned long long d, unsigned long long *seen)
{
	struct record r = { .lost_stage = stage };

	if (d == *seen)
		return 0;
	r.ev.version = NSTAINT_ABI_VERSION;
	r.ev.size = sizeof(r.ev);
	r.ev.type = NSTAINT_EV_LOST;
	r.ev.syscall_nr = -1;
	r.ev.ts_ns = mono_ns();
	r.ev.count = d - *seen;
	*seen = d;
	return pass_on(p, &r);
}

/* The queue's drops and the report rings' writers' since the last call. */
static int report_losses(struct pipeline *p)
{
	return report_loss(p, LOST_STAGE_QUEUE, queue_dropped(p->q),
			   &p->qdrop_seen) ?:
	       report_loss(p, LOST_STAGE_RING, p->counts.rep.lost,
			   &p->ring_lost_seen);
}

/* The report's stacks, from one image of its process (sym_process). */
static void report_stacks(struct pipeline *p, struct report *rep)
{
	const struct mn_ring_rec *rec = &rep->rec;
	struct sym_proc *sp = p->stacks ? sym_process(rec->pid) : NULL;
	bool stale = execlog_since(p->execs, rec->pid, rec->time_ns);
	const __u64 *pcs;
	unsigned int n;

	for (int i = 0; i < REPORT_STACKS; i++) {
		pcs = report_pcs(rep, i, &n);
		/* Every PC in a ring is a return address, an access's
		 * too: that of its instrumentation call (docs/abi.md). */
		ustack_lookup(sp, pcs, pcs ? n : 0, false, &rep->stack[i]);
		if (!p->stacks || stale)
			ustack_unresolved(&rep->stack[i], false, stale,
					  !p->stacks);
	}
}

static bool names_tainted_task(const struct pipeline *p,
			       const struct mn_ring_rec *rec)
{
	if (tainted_tasks_has(p->tt, rec->pid, rec->task_id))
		return true;
	return rec->kind == MN_RING_DATA_RACE &&
	       (tainted_tasks_has(p->tt, rec->pid, rec->race.cur.task_id) ||
		tainted_tasks_has(p->tt, rec->pid, rec->race.prev.task_id));
}

/* One checked record of ring @s: decoded, counted, to every sink. */
static int pass_report(void *ctx, const struct ring_slot *s,
		       const struct mn_ring_rec *rec)
{
	static struct report rep;	/* large: the decoder's, one */
	struct pipeline *p = ctx;
	struct rep_counts *c = &p->counts.rep;
	int err;

	memcpy(&rep.rec, rec, sizeof(rep.rec));
	memcpy(rep.comm, s->comm, sizeof(rep.comm));
	rep.on_tainted_thread = names_tainted_task(p, rec);
	report_stacks(p, &rep);
	c->kind[rec->kind]++;	/* mnring_check: in range */
	if (rec->kind == MN_RING_RUNTIME_ERROR)
		c->error[rec->error.code]++;
	for (size_t i = 0; i < p->nsinks; i++) {
		struct sink *sk = &p->sinks[i];

		if (!sk->ops->report)
			continue;
		err = sk->ops->report(sk, &rep);
		if (err)
			return err;
		if (sk->out && __fpending(sk->out) >= SINK_FLUSH_AT)
			fflush(sk->out);
	}
	return 0;
}

static int decode(struct pipeline *p, const struct qitem *it,
		  struct record *r)
{
	bool raw;
	int err;

	if (it->kind == QITEM_EXEC) {
		/* Its ring's last records, then its task ids mean nothing. */
		err = rings_exec(&p->rings, it->pid, pass_report, p,
				 &p->counts.rep);
		if (err > 0)
			tainted_tasks_forget(p->tt, it->pid);
		sym_forget(it->pid);
		return err < 0 ? err : 0;
	}
	if (it->kind == QITEM_RING) {
		rings_open(&p->rings, it->pid, it->fd, &p->counts.rep);
		return 0;
	}
	if (!record_valid(&it->ev)) {
		if (!p->bad++)
			fprintf(stderr, "nstaint %s: %s: record of version %u "
				"size %u type %u not understood (module and "
				"tool of different versions?)\n", p->cmd,
				p->src.ops->name, it->ev.version, it->ev.size,
				it->ev.type);
		return 0;
	}
	memcpy(&r->ev, &it->ev, sizeof(r->ev));
	r->lost_stage = LOST_STAGE_KERNEL;
	if (p->stacks) {
		raw = queue_len(p->q) > p->high_water;
		p->raw_stacks += raw && r->ev.stack_depth;
		ustack_resolve(&r->ev, raw, p->execs, &r->stack);
	} else {
		r->stack.all = r->stack.n = 0;
	}
	return pass_on(p, r) ?: 1;
}

static int flush_sinks(struct pipeline *p)
{
	for (size_t i = 0; i < p->nsinks; i++)
		if (p->sinks[i].out)
			fflush(p->sinks[i].out);
	return 0;
}

/* The sinks' ticks, PIPELINE_TICK_MS apart at least. */
static int tick(struct pipeline *p)
{
	__u64 now = mono_ns();
	int err;

	if (now - p->last_tick_ns < PIPELINE_TICK_MS * 1000000ULL)
		return 0;
	p->last_tick_ns = now;

	for (size_t i = 0; i < p->nsinks; i++) {
		if (!p->sinks[i].ops->tick)
			continue;
		err = p->sinks[i].ops->tick(&p->sinks[i],
					    p->keep_tracker ? &p->tr : NULL,
					    &p->counts);
		if (err)
			return err;
	}
	return 0;
}

/* Pass on what is queued until *@n records are @max: 0 or an error. */
static int decode_some(struct pipeline *p, size_t max, int *n)
{
	static struct record r;	/* large: one, in the decoder's thread */
	struct qitem it;
	int err;

	while ((size_t)*n < max && queue_pop(p->q, &it)) {
		err = report_losses(p);
		if (!err)
			err = decode(p, &it, &r);
		if (err < 0)
			return err;
		*n += err;
	}
	return 0;
}

int pipeline_run(struct pipeline *p, int timeout_ms, size_t max)
{
	int n = 0, err;

	/* The rings' turn (rings.h): all the kernel made before now first. */
	if (rings_any(&p->rings) && !p->rings_req) {
		rings_mark(&p->rings);
		p->rings_t = mono_ns();
		p->rings_req = atomic_fetch_add(&p->sync_req, 1) + 1;
	}
	if (p->rings_req && timeout_ms > RINGS_POLL_MS)
		timeout_ms = RINGS_POLL_MS;
	queue_wait(p->q, timeout_ms);
	err = decode_some(p, max, &n);
	if (err)
		return err;
	if (p->rings_req &&
	    (long)(atomic_load(&p->sync_done) - p->rings_req) >= 0) {
		/* Queued before now: made before rings_t, or later. */
		err = decode_some(p, n + queue_len(p->q), &n);
		if (err)
			return err;
		err = rings_poll(&p->rings, p->rings_t, pass_report, p,
				 &p->counts.rep);
		p->rings_req = 0;
		if (err)
			return err;
	}
	err = report_losses(p);
	if (err)
		return err;
	flush_sinks(p);
	err = tick(p);
	if (err)
		return err;
	err = atomic_load(&p->drain_err);
	return err ? err : n;
}

int pipeline_sync(struct pipeline *p, int timeout_ms)
{
	unsigned long req = atomic_fetch_add(&p->sync_req, 1) + 1;
	struct timespec t0, now;
	int err;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		bool synced = (long)(atomic_load(&p->sync_done) - req) >= 0;

		err = pipeline_run(p, synced ? 0 : 5, (size_t)-1);
		if (err < 0)
			return err;
		if (synced && !queue_len(p->q))
			return 1;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - t0.tv_sec) * 1000 +
		    (now.tv_nsec - t0.tv_nsec) / 1000000 >= timeout_ms)
			return 0;
	}
}

void pipeline_close(struct pipeline *p)
{
	if (p->drain_started) {
		atomic_store(&p->drain_stop, 1);
		pthread_join(p->drain, NULL);
		p->drain_started = false;
		while (pipeline_run(p, 0, (size_t)-1) > 0)
			;
		p->src.ops->close(&p->src);
	}
	if (p->tt) {
		rings_close(&p->rings, pass_report, p, &p->counts.rep);
		report_losses(p);
	}
	for (size_t i = 0; i < p->nsinks; i++)
		if (p->sinks[i].ops->close)
			p->sinks[i].ops->close(&p->sinks[i], &p->counts);
	flush_sinks(p);
	if (p->bad)
		fprintf(stderr, "nstaint %s: %s: %llu records not understood\n",
			p->cmd, p->src.ops->name, p->bad);
	queue_free(p->q);
	p->q = NULL;
	free(p->execs);
	p->execs = NULL;
	free(p->tt);
	p->tt = NULL;
	tracker_free(&p->tr);
}
