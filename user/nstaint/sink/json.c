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
};
