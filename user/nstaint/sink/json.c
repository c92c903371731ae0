// SPDX-License-Identifier: GPL-2.0-only
/*
 * JSON lines (`trace --json`, docs/trace.md): one object per record, the
 * field names of `nstaint ps --json`, every name from the event table.
 */
#include <string.h>

#include "common/nsjson.h"
#include "common/strout.h"
#include "model/evtable.h"
#include "model/record.h"
#include "model/report.h"
#include "model/syscalls.h"
#include "sink/json.h"
#include "sink/sink.h"

static const char *jbool(bool b)
{
	return b ? "true" : "false";
}

static void member_set(FILE *f, const char *key, const __u32 *ino)
{
	fprintf(f, ",\"%s\":", key);
	fput_json_nsset(f, ino);
}

static void member_mask(FILE *f, const char *key, unsigned int mask)
{
	fprintf(f, ",\"%s\":", key);
	fput_json_nsmask(f, mask);
}

void json_write_record(FILE *f, const struct record *r, const char *time_key)
{
	const struct nstaint_event *e = &r->ev;
	char comm[NSTAINT_COMM_LEN + 1];

	fprintf(f, "\"event\":\"%s\",\"%s\":%llu.%09llu",
		ev_type_name(e->type), time_key,
		(unsigned long long)(e->ts_ns / 1000000000ULL),
		(unsigned long long)(e->ts_ns % 1000000000ULL));
	if (e->type == NSTAINT_EV_LOST) {
		fprintf(f, ",\"reason\":\"%s\",\"stage\":\"%s\","
			"\"count\":%llu}\n",
			r->lost_stage != LOST_STAGE_KERNEL ? "queue_full" :
			ev_lost_reason_name(e->lost_reason),
			ev_lost_stage_name(r->lost_stage),
			(unsigned long long)e->count);
		return;
	}
	memcpy(comm, e->comm, NSTAINT_COMM_LEN);
	comm[NSTAINT_COMM_LEN] = 0;
	fprintf(f, ",\"pid\":%u,\"tid\":%u,\"comm\":", e->pid, e->tid);
	fput_json_str(f, comm);
	fprintf(f, ",\"cause\":\"%s\"", ev_cause_name(e->cause));
	member_set(f, "ns", e->ns_new);
	member_set(f, "ns_old", e->ns_old);
	member_set(f, "home", e->ns_home);
	member_mask(f, "differs", e->tainted_mask);
	member_mask(f, "changed", e->changed_mask);
	/* Seen at a switch (--lazy): no system call, no return value. */
	if (e->type == NSTAINT_EV_NS_CHANGE && e->cause != NSTAINT_CAUSE_SCHED)
		fprintf(f, ",\"ret\":%d", e->ret);
	if (e->type == NSTAINT_EV_NS_CHANGE)
		fprintf(f, ",\"home_moved\":%s",
			jbool(e->flags & NSTAINT_F_HOME_MOVED));
	if (e->cause == NSTAINT_CAUSE_CLONE)
		fprintf(f, ",\"parent_tid\":%u,\"new_process\":%s",
			e->parent_tid, jbool(e->flags & NSTAINT_F_NEW_PROCESS));
	if (e->task_kind)
		fprintf(f, ",\"task_kind\":\"%s\",\"task_id\":%llu,"
			"\"count\":%llu", ev_task_kind_name(e->task_kind),
			(unsigned long long)e->task_id,
			(unsigned long long)e->count);
	if (e->syscall_nr >= 0)
		fprintf(f, ",\"syscall\":\"%s\",\"syscall_nr\":%d",
			syscall_name(e->syscall_nr) ?: "unknown",
			e->syscall_nr);
	if (e->owner_kind)
		fprintf(f, ",\"owner_kind\":\"%s\",\"owner_id\":%llu,"
			"\"owner_locked\":%s", ev_task_kind_name(e->owner_kind),
			(unsigned long long)e->owner_id,
			jbool(e->flags & NSTAINT_F_TASK_LOCKED));
	ustack_print_json(f, e, &r->stack);
	fputs("}\n", f);
}

static void member_stack(FILE *f, const struct report *rep,
			 enum report_stack which)
{
	unsigned int n;
	const __u64 *pcs = report_pcs(rep, which, &n);

	if (pcs && n)
		ustack_print_pcs_json(f, pcs, false, &rep->stack[which]);
}

/* One access of a race: the object after "@key":. */
static void member_access(FILE *f, const char *key, const struct report *rep,
			  const struct mn_ring_access *a, enum report_stack which)
{
	fprintf(f, ",\"%s\":{\"addr\":\"0x%llx\",\"size\":%u,\"task_id\":%llu,"
		"\"tid\":%u,\"write\":%s,\"atomic\":%s,\"stack_lost\":%s", key,
		(unsigned long long)a->addr, a->size,
		(unsigned long long)a->task_id, a->tid,
		jbool(a->flags & MN_RING_ACC_WRITE),
		jbool(a->flags & MN_RING_ACC_ATOMIC),
		jbool(a->flags & MN_RING_ACC_NO_STACK));
	member_stack(f, rep, which);
	fputc('}', f);
}

static void race_members(FILE *f, const struct report *rep)
{
	const struct mn_ring_race *r = &rep->rec.race;

	member_access(f, "access", rep, &r->cur, REPORT_STACK_MAIN);
	member_access(f, "previous", rep, &r->prev, REPORT_STACK_PREV);
	fprintf(f, ",\"location\":{\"kind\":\"%s\"", ev_race_loc_name(r->loc_kind));
	if (r->loc_kind == MN_RING_LOC_HEAP)
		fprintf(f, ",\"addr\":\"0x%llx\",\"size\":%llu,\"task_id\":%llu",
			(unsigned long long)r->loc_addr,
			(unsigned long long)r->loc_size,
			(unsigned long long)r->loc_task);
	if (r->loc_kind == MN_RING_LOC_STACK)
		fprintf(f, ",\"task_id\":%llu", (unsigned long long)r->loc_task);
	if (r->loc_kind == MN_RING_LOC_TLS)
		fprintf(f, ",\"tid\":%u", r->loc_tid);
	member_stack(f, rep, REPORT_STACK_LOC);
	fputc('}', f);
}

void json_write_report(FILE *f, const struct report *rep, const char *time_key)
{
	const struct mn_ring_rec *r = &rep->rec;

	fprintf(f, "\"event\":\"%s\",\"%s\":%llu.%09llu,\"pid\":%u,\"tid\":%u,"
		"\"comm\":", ev_report_kind_name(r->kind), time_key,
		(unsigned long long)(r->time_ns / 1000000000ULL),
		(unsigned long long)(r->time_ns % 1000000000ULL), r->pid, r->tid);
	fput_json_str(f, rep->comm);
	fprintf(f, ",\"source\":\"report_ring\",\"task_id\":%llu,"
		"\"on_tainted_thread\":%s", (unsigned long long)r->task_id,
		jbool(rep->on_tainted_thread));
	switch (r->kind) {
	case MN_RING_DATA_RACE:
		race_members(f, rep);
		break;
	case MN_RING_RUNTIME_ERROR:
		fprintf(f, ",\"error\":\"%s\",\"message\":",
			ev_runtime_error_name(r->error.code));
		fput_json_str(f, r->error.msg);
		member_stack(f, rep, REPORT_STACK_MAIN);
		break;
	case MN_RING_TASK_LEAK:
	case MN_RING_CTX_LEAK:
		fprintf(f, ",\"creator_id\":%llu,\"message\":",
			(unsigned long long)r->leak.creator);
		fput_json_str(f, r->leak.msg);
		member_stack(f, rep, REPORT_STACK_MAIN);
		break;
	case MN_RING_THREAD_RETIRED:
		fprintf(f, ",\"thread\":%u", r->retired.thread);
		member_set(f, "ns", r->retired.ns_new);
		member_set(f, "ns_old", r->retired.ns_old);
		member_mask(f, "differs", r->retired.ns_mask);
		break;
	}
	fputs("}\n", f);
}

static int json_report(struct sink *s, const struct report *rep)
{
	fputc('{', s->out);
	json_write_report(s->out, rep, "time");
	return 0;
}

static int json_record(struct sink *s, const struct record *r)
{
	fputc('{', s->out);
	json_write_record(s->out, r, "time");
	return 0;
}

const struct sink_ops sink_json_ops = {
	.name = "json",
	.stacks = true,
	.open = sink_open_stream,
	.record = json_record,
	.report = json_report,
};
