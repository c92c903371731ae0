// SPDX-License-Identifier: GPL-2.0-only
/*
 * Text lines (`nstaint trace`, docs/trace.md): one line per record, the
 * user tasks on tainted threads in words, stacks indented below; every
 * name from the event table.
 */
#include <string.h>

#include "common/nsset.h"
#include "common/strout.h"
#include "model/evtable.h"
#include "model/record.h"
#include "model/report.h"
#include "model/syscalls.h"
#include "sink/sink.h"

/* "goroutine 335" / "libmn task 7" */
static void fput_task(FILE *f, __u32 kind, __u64 id)
{
	fprintf(f, "%s %llu", ev_task_kind_noun(kind), (unsigned long long)id);
}

/*
 * A user task on a tainted thread, in words: what it did there (called
 * which system call, was running at a switch, was dispatched onto it),
 * how often (task_summary), then the namespaces that differ, the process
 * and the owner; the stack of the call under it.
 */
static void print_task(FILE *f, const struct record *r, const char *comm)
{
	const struct nstaint_event *e = &r->ev;
	bool summary = e->type == NSTAINT_EV_TASK_SUMMARY;
	unsigned long long n = e->count;
	const char *sep = " (", *times = n == 1 ? "time" : "times";

	fprintf(f, "%-22s ", ev_type_name(e->type));
	fput_task(f, e->task_kind, e->task_id);
	if (e->syscall_nr >= 0) {
		const char *name = syscall_name(e->syscall_nr);

		if (name)
			fprintf(f, " called %s()", name);
		else
			fprintf(f, " called system call %d", e->syscall_nr);
		if (summary)
			fprintf(f, " %llu %s", n, times);
		fputs(" on", f);
	} else if (e->cause == NSTAINT_CAUSE_DISPATCH) {
		fputs(summary ? " was dispatched" : " was dispatched onto", f);
		if (summary)
			fprintf(f, " %llu %s onto", n, times);
	} else if (summary) {
		fprintf(f, " was seen %llu %s at context switches on", n,
			times);
	} else {
		fputs(" was running at a context switch on", f);
	}
	fprintf(f, " tainted thread %u", e->tid);
	for (int i = 0; i < NSTAINT_NS_COUNT; i++) {
		if (!(e->tainted_mask & NSTAINT_NS_BIT(i)))
			continue;
		fprintf(f, "%s%s %u, home %u", sep, ns_names[i], e->ns_new[i],
			e->ns_home[i]);
		sep = "; ";
	}
	if (sep[0] == ';')
		fputc(')', f);
	fprintf(f, " pid=%u comm=", e->pid);
	fput_text(f, comm);
	if (e->owner_kind) {
		fputs(" owner=", f);
		fput_task(f, e->owner_kind, e->owner_id);
	}
	fputc('\n', f);
	ustack_print_text(f, e, &r->stack);
}

static int text_record(struct sink *s, const struct record *r)
{
	const struct nstaint_event *e = &r->ev;
	char comm[NSTAINT_COMM_LEN + 1];
	FILE *f = s->out;
	unsigned int mask;

	if (e->type == NSTAINT_EV_LOST) {
		fprintf(f, "%-22s %llu records dropped (%s)\n",
			ev_type_name(e->type), (unsigned long long)e->count,
			r->lost_stage != LOST_STAGE_KERNEL ?
			ev_lost_stage_text(r->lost_stage) :
			ev_lost_reason_text(e->lost_reason));
		return 0;
	}
	memcpy(comm, e->comm, NSTAINT_COMM_LEN);
	comm[NSTAINT_COMM_LEN] = 0;
	if ((e->type == NSTAINT_EV_TASK_ON_TAINTED_THREAD ||
	     e->type == NSTAINT_EV_TASK_SUMMARY) && e->task_kind) {
		print_task(f, r, comm);
		return 0;
	}
	fprintf(f, "%-22s pid=%u tid=%u comm=", ev_type_name(e->type), e->pid,
		e->tid);
	fput_text(f, comm);
	fprintf(f, " cause=%s", ev_cause_name(e->cause));
	mask = e->type == NSTAINT_EV_NS_CHANGE ? e->changed_mask :
	       e->tainted_mask;
	for (int i = 0; i < NSTAINT_NS_COUNT; i++) {
		if (!(mask & NSTAINT_NS_BIT(i)))
			continue;
		if (e->type == NSTAINT_EV_NS_CHANGE)
			fprintf(f, " %s:%u->%u", ns_names[i], e->ns_old[i],
				e->ns_new[i]);
		else
			fprintf(f, " %s:%u(home %u)", ns_names[i],
				e->ns_new[i], e->ns_home[i]);
	}
	if (e->type == NSTAINT_EV_NS_CHANGE && e->flags & NSTAINT_F_HOME_MOVED)
		fputs(" home_moved", f);
	if (e->task_kind)
		fprintf(f, " %s=%llu", ev_task_kind_name(e->task_kind),
			(unsigned long long)e->task_id);
	if (e->owner_kind)
		fprintf(f, " owner=%s:%llu%s", ev_task_kind_name(e->owner_kind),
			(unsigned long long)e->owner_id,
			e->flags & NSTAINT_F_TASK_LOCKED ? "(locked)" : "");
	if (e->cause == NSTAINT_CAUSE_CLONE)
		fprintf(f, " parent_tid=%u%s", e->parent_tid,
			e->flags & NSTAINT_F_NEW_PROCESS ? " new_process" : "");
	fputc('\n', f);
	ustack_print_text(f, e, &r->stack);
	return 0;
}

static void report_stack(FILE *f, const struct report *rep,
			 enum report_stack which)
{
	unsigned int n;
	const __u64 *pcs = report_pcs(rep, which, &n);

	if (pcs && n)
		ustack_print_pcs_text(f, pcs, false, &rep->stack[which]);
}

static void access_words(FILE *f, const struct mn_ring_access *a)
{
	fprintf(f, "%s%s of %u bytes at 0x%llx by task %llu on thread %u",
		a->flags & MN_RING_ACC_ATOMIC ? "atomic " : "",
		a->flags & MN_RING_ACC_WRITE ? "write" : "read", a->size,
		(unsigned long long)a->addr, (unsigned long long)a->task_id,
		a->tid);
	if (a->flags & MN_RING_ACC_NO_STACK)
		fputs(" (its stack was lost)", f);
	fputc('\n', f);
}

/* A report: one line, then its stacks indented below. */
static int text_report(struct sink *s, const struct report *rep)
{
	const struct mn_ring_rec *r = &rep->rec;
	FILE *f = s->out;

	fprintf(f, "%-22s pid=%u tid=%u comm=", ev_report_kind_name(r->kind),
		r->pid, r->tid);
	fput_text(f, rep->comm);
	if (r->task_id)
		fprintf(f, " task=%llu", (unsigned long long)r->task_id);
	if (rep->on_tainted_thread)
		fputs(" on_tainted_thread", f);
	switch (r->kind) {
	case MN_RING_DATA_RACE:
		fputs(": ", f);
		access_words(f, &r->race.cur);
		report_stack(f, rep, REPORT_STACK_MAIN);
		fputs("  previous ", f);
		access_words(f, &r->race.prev);
		report_stack(f, rep, REPORT_STACK_PREV);
		fprintf(f, "  location: %s", ev_race_loc_name(r->race.loc_kind));
		if (r->race.loc_kind == MN_RING_LOC_HEAP)
			fprintf(f, " block 0x%llx of %llu bytes allocated by "
				"task %llu", (unsigned long long)r->race.loc_addr,
				(unsigned long long)r->race.loc_size,
				(unsigned long long)r->race.loc_task);
		fputc('\n', f);
		report_stack(f, rep, REPORT_STACK_LOC);
		break;
	case MN_RING_RUNTIME_ERROR:
		fprintf(f, " error=%s: ", ev_runtime_error_name(r->error.code));
		fput_text(f, r->error.msg);
		fputc('\n', f);
		report_stack(f, rep, REPORT_STACK_MAIN);
		break;
	case MN_RING_TASK_LEAK:
	case MN_RING_CTX_LEAK:
		fprintf(f, " creator=%llu: ", (unsigned long long)r->leak.creator);
		fput_text(f, r->leak.msg);
		fputc('\n', f);
		report_stack(f, rep, REPORT_STACK_MAIN);
		break;
	case MN_RING_THREAD_RETIRED:
		fprintf(f, " thread=%u", r->retired.thread);
		for (int i = 0; i < NSTAINT_NS_COUNT; i++)
			if (r->retired.ns_mask & NSTAINT_NS_BIT(i))
				fprintf(f, " %s:%u->%u", ns_names[i],
					r->retired.ns_old[i], r->retired.ns_new[i]);
		fputc('\n', f);
		break;
	}
	return 0;
}

const struct sink_ops sink_text_ops = {
	.name = "text",
	.stacks = true,
	.open = sink_open_stream,
	.record = text_record,
	.report = text_report,
};
