// SPDX-License-Identifier: GPL-2.0-only
/*
 * Formatting records.  JSON field names follow `nstaint ps --json` (pid,
 * tid, comm, differs, ns{...}, home{...}); trace adds event, time,
 * ns_old, changed, cause, task/owner, and the symbolized stack.
 */
#include <inttypes.h>
#include <string.h>

#include "evfmt.h"
#include "nsset.h"
#include "strout.h"
#include "symbolize.h"

const char *const event_names[NSTAINT_EV_TYPE_COUNT] = {
	[NSTAINT_EV_NONE] = "none",
	[NSTAINT_EV_NS_CHANGE] = "ns_change",
	[NSTAINT_EV_THREAD_TAINTED] = "thread_tainted",
	[NSTAINT_EV_THREAD_RESTORED] = "thread_restored",
	[NSTAINT_EV_CLONE_FROM_TAINTED] = "clone_from_tainted",
	[NSTAINT_EV_TASK_ON_TAINTED_THREAD] = "task_on_tainted_thread",
	[NSTAINT_EV_THREAD_EXIT] = "thread_exit",
	[NSTAINT_EV_LOST] = "lost",
};

static const char *const cause_names[] = {
	"unknown", "setns", "unshare", "clone", "exec", "exit", "creds",
	"snapshot", "sched",
};

static const char *const kind_names[] = { "none", "go", "libmn" };

const char *event_name(unsigned int type)
{
	return type < NSTAINT_EV_TYPE_COUNT ? event_names[type] : "unknown";
}

static const char *cause_name(unsigned int c)
{
	return c < sizeof(cause_names) / sizeof(cause_names[0]) ? cause_names[c] : "unknown";
}

static const char *kind_name(unsigned int k)
{
	return k < 3 ? kind_names[k] : "unknown";
}

static void mask_text(FILE *f, unsigned int mask)
{
	const char *sep = "";

	for (int i = 0; i < NSTAINT_NS_COUNT; i++)
		if (mask & NSTAINT_NS_BIT(i)) {
			fprintf(f, "%s%s", sep, ns_names[i]);
			sep = ",";
		}
	if (!*sep)
		fputc('-', f);
}

static void mask_json(FILE *f, unsigned int mask)
{
	const char *sep = "";

	fputc('[', f);
	for (int i = 0; i < NSTAINT_NS_COUNT; i++)
		if (mask & NSTAINT_NS_BIT(i)) {
			fprintf(f, "%s\"%s\"", sep, ns_names[i]);
			sep = ",";
		}
	fputc(']', f);
}

static void set_json(FILE *f, const __u32 *s)
{
	fputc('{', f);
	for (int i = 0; i < NSTAINT_NS_COUNT; i++)
		fprintf(f, "%s\"%s\":%u", i ? "," : "", ns_names[i], s[i]);
	fputc('}', f);
}

/* Namespaces worth showing in text: changed ones, else tainted ones. */
static void ns_text(FILE *f, const struct nstaint_event *ev)
{
	unsigned int mask = ev->changed_mask ? ev->changed_mask : ev->tainted_mask;

	for (int i = 0; i < NSTAINT_NS_COUNT; i++) {
		if (!(mask & NSTAINT_NS_BIT(i)))
			continue;
		if (ev->changed_mask)
			fprintf(f, " %s:%u->%u", ns_names[i], ev->ns_old[i], ev->ns_new[i]);
		else
			fprintf(f, " %s:%u", ns_names[i], ev->ns_new[i]);
		fprintf(f, "(home %u)", ev->ns_home[i]);
	}
}

void evfmt_text(FILE *f, const struct nstaint_event *ev)
{
	fprintf(f, "%" PRIu64 ".%06" PRIu64 " %-22s pid=%u tid=%u comm=",
		(uint64_t)ev->ts_ns / 1000000000, (uint64_t)ev->ts_ns % 1000000000 / 1000,
		event_name(ev->type), ev->pid, ev->tid);
	fput_text(f, ev->comm);
	if (ev->type == NSTAINT_EV_LOST) {
		fprintf(f, " count=%" PRIu64 "\n", (uint64_t)ev->count);
		return;
	}
	fprintf(f, " cause=%s", cause_name(ev->cause));
	ns_text(f, ev);
	fputs(" differs=", f);
	mask_text(f, ev->tainted_mask);
	if (ev->parent_tid)
		fprintf(f, " parent_tid=%u%s", ev->parent_tid,
			ev->flags & NSTAINT_F_NEW_PROCESS ? " new_process" : " new_thread");
	if (ev->task_kind)
		fprintf(f, " task=%s:%" PRIu64 "%s", kind_name(ev->task_kind),
			(uint64_t)ev->task_id, ev->flags & NSTAINT_F_TASK_LOCKED ? "(locked)" : "");
	if (ev->owner_kind)
		fprintf(f, " owner=%s:%" PRIu64, kind_name(ev->owner_kind), (uint64_t)ev->owner_id);
	if (ev->flags & NSTAINT_F_HOME_MOVED)
		fputs(" home_moved", f);
	fputc('\n', f);
	for (unsigned int i = 0; i < ev->stack_depth && i < NSTAINT_MAX_STACK; i++) {
		char sym[256];

		symbolize(ev->pid, ev->ustack[i], sym, sizeof(sym));
		fprintf(f, "    #%u 0x%016" PRIx64 " ", i, (uint64_t)ev->ustack[i]);
		fput_text(f, sym);
		fputc('\n', f);
	}
}

void evfmt_json(FILE *f, const struct nstaint_event *ev)
{
	fprintf(f, "{\"event\":\"%s\",\"time\":%" PRIu64 ",\"pid\":%u,\"tid\":%u,\"comm\":",
		event_name(ev->type), (uint64_t)ev->ts_ns, ev->pid, ev->tid);
	fput_json_str(f, ev->comm);
	if (ev->type == NSTAINT_EV_LOST) {
		fprintf(f, ",\"count\":%" PRIu64 "}\n", (uint64_t)ev->count);
		return;
	}
	fprintf(f, ",\"cause\":\"%s\",\"tainted\":%s,\"differs\":", cause_name(ev->cause),
		ev->tainted_mask ? "true" : "false");
	mask_json(f, ev->tainted_mask);
	fputs(",\"changed\":", f);
	mask_json(f, ev->changed_mask);
	fputs(",\"ns\":", f);
	set_json(f, ev->ns_new);
	fputs(",\"ns_old\":", f);
	set_json(f, ev->ns_old);
	fputs(",\"home\":", f);
	set_json(f, ev->ns_home);
	fprintf(f, ",\"parent_tid\":%u,\"new_process\":%s,\"clone_flags\":%" PRIu64
		",\"count\":%" PRIu64 ",\"task_kind\":\"%s\",\"task\":%" PRIu64
		",\"locked\":%s,\"owner_kind\":\"%s\",\"owner\":%" PRIu64
		",\"home_moved\":%s,\"ret\":%d,\"stack\":[",
		ev->parent_tid, ev->flags & NSTAINT_F_NEW_PROCESS ? "true" : "false",
		(uint64_t)ev->clone_flags, (uint64_t)ev->count, kind_name(ev->task_kind),
		(uint64_t)ev->task_id, ev->flags & NSTAINT_F_TASK_LOCKED ? "true" : "false",
		kind_name(ev->owner_kind), (uint64_t)ev->owner_id,
		ev->flags & NSTAINT_F_HOME_MOVED ? "true" : "false", ev->ret);
	for (unsigned int i = 0; i < ev->stack_depth && i < NSTAINT_MAX_STACK; i++) {
		char sym[256];

		symbolize(ev->pid, ev->ustack[i], sym, sizeof(sym));
		fprintf(f, "%s{\"ip\":%" PRIu64 ",\"sym\":", i ? "," : "", (uint64_t)ev->ustack[i]);
		fput_json_str(f, sym);
		fputc('}', f);
	}
	fputs("]}\n", f);
}
