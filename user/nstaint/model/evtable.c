// SPDX-License-Identifier: GPL-2.0-only
#include "model/evtable.h"

static const char *const type_names[NSTAINT_EV_TYPE_COUNT] = {
	[NSTAINT_EV_NS_CHANGE] = "ns_change",
	[NSTAINT_EV_THREAD_TAINTED] = "thread_tainted",
	[NSTAINT_EV_THREAD_RESTORED] = "thread_restored",
	[NSTAINT_EV_CLONE_FROM_TAINTED] = "clone_from_tainted",
	[NSTAINT_EV_TASK_ON_TAINTED_THREAD] = "task_on_tainted_thread",
	[NSTAINT_EV_THREAD_EXIT] = "thread_exit",
	[NSTAINT_EV_LOST] = "lost",
	[NSTAINT_EV_TASK_SUMMARY] = "task_summary",
};

static const char *const cause_names[EV_CAUSE_COUNT] = {
	[NSTAINT_CAUSE_UNKNOWN] = "unknown",
	[NSTAINT_CAUSE_SETNS] = "setns",
	[NSTAINT_CAUSE_UNSHARE] = "unshare",
	[NSTAINT_CAUSE_CLONE] = "clone",
	[NSTAINT_CAUSE_EXEC] = "exec",
	[NSTAINT_CAUSE_EXIT] = "exit",
	[NSTAINT_CAUSE_CREDS] = "creds",
	[NSTAINT_CAUSE_SNAPSHOT] = "snapshot",
	[NSTAINT_CAUSE_SCHED] = "sched",
	[NSTAINT_CAUSE_SYSCALL] = "syscall",
	[NSTAINT_CAUSE_DISPATCH] = "dispatch",
};

static const struct {
	const char *name, *abbrev, *noun;
} task_kinds[EV_TASK_KIND_COUNT] = {
	[NSTAINT_TASK_NONE] = { "none", "?", "task" },
	[NSTAINT_TASK_GO] = { "go", "go", "goroutine" },
	[NSTAINT_TASK_LIBMN] = { "libmn", "mn", "libmn task" },
};

static const struct {
	const char *name, *text;
} lost_reasons[NSTAINT_LOST_REASON_COUNT] = {
	[NSTAINT_LOST_UNKNOWN] = { "unknown", "reason unknown" },
	[NSTAINT_LOST_RINGBUF] = { "ringbuf", "ring buffer full" },
	[NSTAINT_LOST_TAINTED_FULL] = { "tainted_full",
					"tainted-thread table full" },
	[NSTAINT_LOST_SEEN_FULL] = { "seen_full", "dedup table full" },
}, lost_stages[LOST_STAGE_COUNT] = {
	[LOST_STAGE_KERNEL] = { "kernel", "kernel" },
	[LOST_STAGE_QUEUE] = { "queue", "user queue full" },
	[LOST_STAGE_EXPORT] = { "export", "export queue full" },
	[LOST_STAGE_RING] = { "report_ring", "report ring full, by its writers" },
};

static const char *const report_kinds[MN_RING_KIND_COUNT] = {
	[MN_RING_DATA_RACE] = "data_race",
	[MN_RING_RUNTIME_ERROR] = "runtime_error",
	[MN_RING_TASK_LEAK] = "task_leak",
	[MN_RING_CTX_LEAK] = "ctx_leak",
	[MN_RING_THREAD_RETIRED] = "thread_retired",
};

static const char *const runtime_errors[MN_RING_ERR_COUNT] = {
	[MN_RING_ERR_OTHER] = "other",
	[MN_RING_ERR_SEND_CLOSED] = "send_closed",
	[MN_RING_ERR_CLOSE_CLOSED] = "close_closed",
	[MN_RING_ERR_CLOSE_NIL] = "close_nil",
	[MN_RING_ERR_UNLOCK_UNLOCKED] = "unlock_unlocked",
	[MN_RING_ERR_COND_UNLOCKED] = "cond_unlocked",
	[MN_RING_ERR_WG_NEGATIVE] = "wg_negative",
	[MN_RING_ERR_WG_REUSE] = "wg_reuse",
	[MN_RING_ERR_DEADLOCK] = "deadlock",
	[MN_RING_ERR_OUTSIDE_TASK] = "outside_task",
};

static const char *const race_locs[MN_RING_LOC_COUNT] = {
	[MN_RING_LOC_UNKNOWN] = "unknown",
	[MN_RING_LOC_HEAP] = "heap",
	[MN_RING_LOC_GLOBAL] = "global",
	[MN_RING_LOC_STACK] = "stack",
	[MN_RING_LOC_TLS] = "tls",
};

#define IN(tbl, i)	((i) < sizeof(tbl) / sizeof((tbl)[0]))

const char *ev_type_name(unsigned int type)
{
	return IN(type_names, type) ? type_names[type] : NULL;
}

const char *ev_cause_name(unsigned int cause)
{
	return IN(cause_names, cause) ? cause_names[cause] : "unknown";
}

const char *ev_task_kind_name(unsigned int kind)
{
	return task_kinds[IN(task_kinds, kind) ? kind : 0].name;
}

const char *ev_task_kind_abbrev(unsigned int kind)
{
	return task_kinds[IN(task_kinds, kind) ? kind : 0].abbrev;
}

const char *ev_task_kind_noun(unsigned int kind)
{
	return task_kinds[IN(task_kinds, kind) ? kind : 0].noun;
}

const char *ev_lost_reason_name(unsigned int reason)
{
	return lost_reasons[IN(lost_reasons, reason) ? reason : 0].name;
}

const char *ev_lost_reason_text(unsigned int reason)
{
	return lost_reasons[IN(lost_reasons, reason) ? reason : 0].text;
}

const char *ev_lost_stage_name(unsigned int stage)
{
	return lost_stages[IN(lost_stages, stage) ? stage : 0].name;
}

const char *ev_lost_stage_text(unsigned int stage)
{
	return lost_stages[IN(lost_stages, stage) ? stage : 0].text;
}

const char *ev_report_kind_name(unsigned int kind)
{
	return IN(report_kinds, kind) ? report_kinds[kind] : NULL;
}

const char *ev_runtime_error_name(unsigned int code)
{
	return runtime_errors[IN(runtime_errors, code) ? code : 0];
}

const char *ev_race_loc_name(unsigned int loc)
{
	return race_locs[IN(race_locs, loc) ? loc : 0];
}

void ev_count(struct ev_counts *c, const struct nstaint_event *e,
	      unsigned int stage)
{
	if (!IN(c->n, e->type))
		return;
	c->n[e->type]++;
	if (e->type == NSTAINT_EV_LOST)
		c->lost[IN(c->lost, stage) ? stage : 0] += e->count;
}

unsigned long long ev_lost_total(const struct ev_counts *c)
{
	unsigned long long sum = 0;

	for (unsigned int i = 0; i < LOST_STAGE_COUNT; i++)
		if (i != LOST_STAGE_RING)	/* reports: their own line */
			sum += c->lost[i];
	return sum;
}

void ev_print_counts(FILE *f, const struct ev_counts *c)
{
	const char *sep = "";

	for (unsigned int t = NSTAINT_EV_NONE + 1; t < NSTAINT_EV_TYPE_COUNT;
	     t++) {
		fprintf(f, "%s%llu %s", sep, t == NSTAINT_EV_LOST ?
			ev_lost_total(c) : c->n[t], type_names[t]);
		sep = ", ";
	}
}

void ev_print_report_counts(FILE *f, const struct ev_counts *c)
{
	const struct rep_counts *r = &c->rep;
	const char *sep = "";

	for (unsigned int k = MN_RING_NONE + 1; k < MN_RING_KIND_COUNT; k++) {
		fprintf(f, "%s%llu %s", sep, r->kind[k], report_kinds[k]);
		sep = ", ";
	}
	fprintf(f, "; report rings: %llu read, %llu records lost by writers, "
		"%llu invalid, %llu broken, %llu not opened", r->opened,
		r->lost, r->invalid, r->broken, r->refused);
}
