// SPDX-License-Identifier: GPL-2.0-only
/*
 * The metrics sink (sink/metrics.h, docs/agent.md).  Counters move on
 * each record in the pipeline's thread; the page is rendered at each tick
 * (100 ms at most) into `next`, then swapped with `page` under `lock`, so
 * a scrape copies a consistent page and never waits for the pipeline
 * longer than a swap.  No label takes a workload's value: the cardinality
 * is fixed by the event table.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent/labelcap.h"
#include "agent/procmetrics.h"
#include "common/nsset.h"
#include "model/evtable.h"
#include "model/record.h"
#include "model/tracker.h"
#include "sink/export.h"
#include "sink/metrics.h"
#include "sink/sink.h"
#include "common/monotime.h"

#ifndef NSTAINT_VERSION
#define NSTAINT_VERSION "0.1"
#endif
/* git describe at build time (user/nstaint/build.mk). */
#ifndef NSTAINT_REVISION
#define NSTAINT_REVISION "unknown"
#endif
#define STR_(x) #x
#define STR(x) STR_(x)
#define NSTAINT_ABI_VERSION_STR STR(NSTAINT_ABI_VERSION)

/*
 * Why a user task could not be named.  Only what reaches the consumer:
 * the BPF side's dedup table was full, so a (thread, task, call) it saw
 * went unreported (a `lost` record of reason seen_full).  The Go and
 * libmn runtimes' own failures (no offsets in a binary) are said on
 * stderr by the BPF source and not counted yet (docs/agent.md, Limits).
 */
enum attr_failure { AF_DEDUP_FULL, AF_COUNT };

static const char *const attr_failure_names[AF_COUNT] = {
	[AF_DEDUP_FULL] = "dedup_full",
};

enum fallback_reason { FB_PERMISSION, FB_UNAVAILABLE, FB_BUSY, FB_ERROR, FB_COUNT };

static const char *const fallback_names[FB_COUNT] = {
	[FB_PERMISSION] = "permission",
	[FB_UNAVAILABLE] = "unavailable",
	[FB_BUSY] = "busy",
	[FB_ERROR] = "error",
};

static struct {
	pthread_mutex_t lock;		/* guards page */
	struct promtext page, next;
	bool have_page;
	_Atomic unsigned long long last_tick_ns;
	const char *backend, *hook;
	struct metrics_opts o;
	/* Pipeline thread only: */
	unsigned long long unlocked[EV_TASK_KIND_COUNT];
	unsigned long long fallbacks[METRICS_SOURCES_MAX][FB_COUNT];
	unsigned long long resyncs[RESYNC_COUNT];
	unsigned long long attr_failures[AF_COUNT];
	/* --metrics-label=comm: the values kept, and per value (the last
	 * index is "_other") the unlocked tasks and the tainted threads. */
	struct labelcap comms;
	unsigned long long (*unlocked_comm)[EV_TASK_KIND_COUNT];
	unsigned long long *tainted_comm;
	double last_record_wall;
	double start_wall;
} m = { .lock = PTHREAD_MUTEX_INITIALIZER, .backend = "none", .hook = "none" };

static const char *const resync_names[RESYNC_COUNT] = {
	[RESYNC_START] = "start",
	[RESYNC_LOST_KERNEL] = "lost_kernel",
	[RESYNC_LOST_QUEUE] = "lost_queue",
};

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void metrics_configure(const struct metrics_opts *o)
{
	m.o = *o;
	if (!m.o.comm_max)
		m.o.comm_max = METRICS_COMM_MAX_DEFAULT;
}

void metrics_set_backend(const char *backend, const char *hook)
{
	m.backend = backend;
	m.hook = hook;
}

static enum fallback_reason fallback_of(int err)
{
	switch (-err) {
	case EPERM:
	case EACCES:
		return FB_PERMISSION;
	case ENOENT:
	case ENODEV:
	case ENXIO:
	case ENOSYS:
	case EOPNOTSUPP:
	case EINVAL:
		return FB_UNAVAILABLE;
	case EBUSY:
		return FB_BUSY;
	default:
		return FB_ERROR;
	}
}

const char *metrics_fallback_reason(int err)
{
	return fallback_names[fallback_of(err)];
}

void metrics_note_fallback(const char *from, int err)
{
	size_t i;

	for (i = 0; i < m.o.nfrom; i++)
		if (!strcmp(m.o.fallback_from[i], from))
			m.fallbacks[i][fallback_of(err)]++;
}

void metrics_note_resync(enum resync_reason why)
{
	m.resyncs[why]++;
}

/*
 * The index of @comm's label value (comm_max: "_other").  Bytes outside
 * printable ASCII become '?': a label value must be UTF-8, and a comm is
 * whatever the program wrote.
 */
static size_t comm_index(const char comm[NSTAINT_COMM_LEN])
{
	char clean[NSTAINT_COMM_LEN + 1];
	const char *v;
	size_t i;

	for (i = 0; i < NSTAINT_COMM_LEN && comm[i]; i++)
		clean[i] = comm[i] >= 0x20 && comm[i] < 0x7f ? comm[i] : '?';
	clean[i] = 0;
	v = labelcap_get(&m.comms, clean);
	for (i = 0; i < m.comms.n; i++)
		if (m.comms.vals[i] == v)
			return i;
	return m.o.comm_max;
}

static const char *comm_value(size_t i)
{
	return i < m.comms.n ? m.comms.vals[i] : LABELCAP_OTHER;
}

static int metrics_record(struct sink *s, const struct record *r)
{
	const struct nstaint_event *e = &r->ev;

	m.last_record_wall = wall_now();
	if (e->type == NSTAINT_EV_LOST && r->lost_stage == LOST_STAGE_KERNEL &&
	    e->lost_reason == NSTAINT_LOST_SEEN_FULL)
		m.attr_failures[AF_DEDUP_FULL] += e->count;
	/* Locked tasks are never reported: each is an unlocked one. */
	if (e->type == NSTAINT_EV_TASK_ON_TAINTED_THREAD && e->task_kind < EV_TASK_KIND_COUNT) {
		m.unlocked[e->task_kind]++;
		if (m.o.comm)
			m.unlocked_comm[comm_index(e->comm)][e->task_kind]++;
	}
	return 0;
}

static void one(struct promtext *p, const char *name, enum promtext_type type,
		const char *help, const char *label, const char *value, double v)
{
	struct prom_label l = { label, value };

	promtext_family(p, name, type, help);
	promtext_sample(p, name, &l, label ? 1 : 0, v);
}

#define TAINTED_HELP "Threads whose namespaces differ from their process's home set."

/* Every step down possible, from the start at 0. */
static void render_fallbacks(struct promtext *p)
{
	struct prom_label l[2];
	size_t i, r;

	promtext_family(p, "nstaint_backend_fallbacks_total", PROM_COUNTER,
			"Times a backend could not be used and the next was tried, "
			"by backend and why.");
	for (i = 0; i < m.o.nfrom; i++) {
		l[0] = (struct prom_label){ "from", m.o.fallback_from[i] };
		for (r = 0; r < FB_COUNT; r++) {
			l[1] = (struct prom_label){ "reason", fallback_names[r] };
			promtext_sample_u64(p, "nstaint_backend_fallbacks_total", l, 2,
					    m.fallbacks[i][r]);
		}
	}
}

/* What processes' report rings said, and what reading them cost. */
static void render_reports(struct promtext *p, const struct rep_counts *r)
{
	const struct {
		const char *problem;
		unsigned long long n;
	} problems[] = {
		{ "lost", r->lost }, { "invalid", r->invalid },
		{ "broken", r->broken }, { "refused", r->refused },
	};
	struct prom_label l;
	unsigned int i;

	one(p, "nstaint_data_races_total", PROM_COUNTER,
	    "Data races reported by processes (mnrace) through their report rings.",
	    NULL, NULL, r->kind[MN_RING_DATA_RACE]);
	promtext_family(p, "nstaint_runtime_errors_total", PROM_COUNTER,
			"Fatal runtime errors reported by libmn processes, by kind.");
	for (i = 0; i < MN_RING_ERR_COUNT; i++) {
		l = (struct prom_label){ "kind", ev_runtime_error_name(i) };
		promtext_sample_u64(p, "nstaint_runtime_errors_total", &l, 1,
				    r->error[i]);
	}
	one(p, "nstaint_task_leaks_total", PROM_COUNTER,
	    "Tasks still blocked when their libmn process exited.", NULL, NULL,
	    r->kind[MN_RING_TASK_LEAK]);
	one(p, "nstaint_ctx_leaks_total", PROM_COUNTER,
	    "Contexts never cancelled when their libmn process exited.", NULL,
	    NULL, r->kind[MN_RING_CTX_LEAK]);
	one(p, "nstaint_threads_retired_total", PROM_COUNTER,
	    "Threads libmn retired because a task left them in other namespaces.",
	    NULL, NULL, r->kind[MN_RING_THREAD_RETIRED]);
	one(p, "nstaint_report_rings_opened_total", PROM_COUNTER,
	    "Processes' report rings read.", NULL, NULL, r->opened);
	promtext_family(p, "nstaint_report_ring_problems_total", PROM_COUNTER,
			"Report ring trouble: records the writers dropped (ring "
			"full), records invalid, rings given up (broken), rings "
			"not opened (refused).");
	for (i = 0; i < sizeof(problems) / sizeof(problems[0]); i++) {
		l = (struct prom_label){ "problem", problems[i].problem };
		promtext_sample_u64(p, "nstaint_report_ring_problems_total", &l, 1,
				    problems[i].n);
	}
}

static void render(struct promtext *p, const struct tracker *t, const struct ev_counts *c)
{
	struct prom_label l[3];
	unsigned long long nsmask[NSTAINT_NS_COUNT] = { 0 };
	double oldest = 0, wall = wall_now();
	unsigned long long now = mono_ns();
	unsigned int i;
	size_t k;

	l[0] = (struct prom_label){ "version", NSTAINT_VERSION };
	l[1] = (struct prom_label){ "revision", NSTAINT_REVISION };
	l[2] = (struct prom_label){ "abi_version", NSTAINT_ABI_VERSION_STR };
	promtext_family(p, "nstaint_build_info", PROM_GAUGE,
			"Always 1: the agent's version, revision and record ABI.");
	promtext_sample(p, "nstaint_build_info", l, 3, 1);

	l[0] = (struct prom_label){ "backend", m.backend };
	l[1] = (struct prom_label){ "hook", m.hook };
	promtext_family(p, "nstaint_backend", PROM_GAUGE,
			"1 for the record source in use and how it hooks the kernel.");
	promtext_sample(p, "nstaint_backend", l, 2, 1);

	promtext_family(p, "nstaint_records_total", PROM_COUNTER,
			"Records received, by event type.");
	for (i = 1; i < NSTAINT_EV_TYPE_COUNT; i++) {	/* 0 is no type */
		l[0] = (struct prom_label){ "event", ev_type_name(i) };
		promtext_sample_u64(p, "nstaint_records_total", l, 1, c->n[i]);
	}
	promtext_family(p, "nstaint_records_lost_total", PROM_COUNTER,
			"Records lost, by the pipeline stage that lost them.");
	for (i = 0; i < LOST_STAGE_COUNT; i++) {
		/* Reports, not records: nstaint_report_ring_problems_total. */
		if (i == LOST_STAGE_RING)
			continue;
		l[0] = (struct prom_label){ "stage", ev_lost_stage_name(i) };
		/* The export's losses happen after the pipeline: its own. */
		promtext_sample_u64(p, "nstaint_records_lost_total", l, 1,
				    i == LOST_STAGE_EXPORT ? export_lost() : c->lost[i]);
	}
	promtext_family(p, "nstaint_unlocked_tasks_total", PROM_COUNTER,
			"User tasks seen running unlocked on a tainted thread "
			"(one per task, taint and system call).");
	for (i = 1; i < EV_TASK_KIND_COUNT; i++) {
		l[0] = (struct prom_label){ "runtime", ev_task_kind_name(i) };
		if (!m.o.comm) {
			promtext_sample_u64(p, "nstaint_unlocked_tasks_total", l, 1,
					    m.unlocked[i]);
			continue;
		}
		for (k = 0; k <= m.comms.n; k++) {
			size_t at = k < m.comms.n ? k : m.o.comm_max;

			l[1] = (struct prom_label){ "comm", comm_value(at) };
			promtext_sample_u64(p, "nstaint_unlocked_tasks_total", l, 2,
					    m.unlocked_comm[at][i]);
		}
	}
	render_reports(p, &c->rep);
	render_fallbacks(p);
	promtext_family(p, "nstaint_attribution_failures_total", PROM_COUNTER,
			"User tasks seen on a tainted thread but not named, by why.");
	for (i = 0; i < AF_COUNT; i++) {
		l[0] = (struct prom_label){ "reason", attr_failure_names[i] };
		promtext_sample_u64(p, "nstaint_attribution_failures_total", l, 1,
				    m.attr_failures[i]);
	}
	promtext_family(p, "nstaint_resyncs_total", PROM_COUNTER,
			"Times the tainted threads were set again from a /proc "
			"snapshot, by why.");
	for (i = 0; i < RESYNC_COUNT; i++) {
		l[0] = (struct prom_label){ "reason", resync_names[i] };
		promtext_sample_u64(p, "nstaint_resyncs_total", l, 1, m.resyncs[i]);
	}
	promtext_family(p, "nstaint_export_lines_total", PROM_COUNTER,
			"Export lines written whole (lost ones are in "
			"nstaint_records_lost_total{stage=\"export\"}).");
	promtext_sample_u64(p, "nstaint_export_lines_total", NULL, 0, export_written());
	one(p, "nstaint_export_queue_length", PROM_GAUGE,
	    "Export lines waiting for the writer.", NULL, NULL, export_queue_len());
	one(p, "nstaint_export_queue_capacity", PROM_GAUGE,
	    "Export lines the queue holds at most; more are lost (stage export).",
	    NULL, NULL, export_queue_cap());

	if (m.o.comm)
		memset(m.tainted_comm, 0, (m.o.comm_max + 1) * sizeof(*m.tainted_comm));
	for (k = 0; t && k < t->n; k++) {
		const struct tracked_thread *th = &t->threads[k];
		/* since 0: tainted before the agent started; its start is
		 * the latest the taint can have begun. */
		double since = th->since_ns ? wall - (now - th->since_ns) / 1e9 : m.start_wall;

		for (i = 0; i < NSTAINT_NS_COUNT; i++)
			if (th->mask & (1U << i))
				nsmask[i]++;
		if (!oldest || since < oldest)
			oldest = since;
		if (m.o.comm)
			m.tainted_comm[comm_index(th->comm)]++;
	}
	if (!m.o.comm) {
		one(p, "nstaint_tainted_threads", PROM_GAUGE, TAINTED_HELP, NULL, NULL,
		    t ? t->n : 0);
	} else {
		promtext_family(p, "nstaint_tainted_threads", PROM_GAUGE, TAINTED_HELP);
		for (k = 0; k <= m.comms.n; k++) {
			size_t at = k < m.comms.n ? k : m.o.comm_max;

			l[0] = (struct prom_label){ "comm", comm_value(at) };
			promtext_sample_u64(p, "nstaint_tainted_threads", l, 1,
					    m.tainted_comm[at]);
		}
	}
	one(p, "nstaint_tainted_processes", PROM_GAUGE,
	    "Processes with at least one tainted thread.", NULL, NULL,
	    t ? tracker_nprocs(t) : 0);
	promtext_family(p, "nstaint_tainted_thread_namespaces", PROM_GAUGE,
			"Tainted threads, by namespace type that differs.");
	for (i = 0; i < NSTAINT_NS_COUNT; i++) {
		l[0] = (struct prom_label){ "ns", ns_names[i] };
		promtext_sample_u64(p, "nstaint_tainted_thread_namespaces", l, 1, nsmask[i]);
	}
	one(p, "nstaint_oldest_tainted_thread_timestamp_seconds", PROM_GAUGE,
	    "When the longest-tainted thread was tainted (0: none is).", NULL, NULL, oldest);
	one(p, "nstaint_last_record_timestamp_seconds", PROM_GAUGE,
	    "When the last record arrived (0: none yet).", NULL, NULL, m.last_record_wall);
}

static int metrics_tick(struct sink *s, const struct tracker *t, const struct ev_counts *c)
{
	struct promtext tmp;

	promtext_reset(&m.next);
	render(&m.next, t, c);
	pthread_mutex_lock(&m.lock);
	tmp = m.page;
	m.page = m.next;
	m.next = tmp;
	m.have_page = true;
	pthread_mutex_unlock(&m.lock);
	atomic_store(&m.last_tick_ns, mono_ns());
	return 0;
}

static int metrics_open(struct sink *s, const struct sink_opts *o)
{
	m.start_wall = wall_now();
	if (m.o.comm) {
		labelcap_init(&m.comms, m.o.comm_max);
		m.unlocked_comm = calloc(m.o.comm_max + 1, sizeof(*m.unlocked_comm));
		m.tainted_comm = calloc(m.o.comm_max + 1, sizeof(*m.tainted_comm));
		if (!m.unlocked_comm || !m.tainted_comm)
			return -ENOMEM;
	}
	s->out = o->out;
	return 0;
}

int metrics_page(struct promtext *p)
{
	int err = 0;

	pthread_mutex_lock(&m.lock);
	if (!m.have_page || promtext_oom(&m.page))
		err = -EAGAIN;
	else if (m.page.len)
		promtext_append(p, m.page.buf, m.page.len);
	pthread_mutex_unlock(&m.lock);
	return err ?: procmetrics_write(p, getpid());
}

unsigned long long metrics_last_tick_ns(void)
{
	return atomic_load(&m.last_tick_ns);
}

const struct sink_ops sink_metrics_ops = {
	.name = "metrics",
	.open = metrics_open,
	.record = metrics_record,
	.tick = metrics_tick,
};
