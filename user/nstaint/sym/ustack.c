// SPDX-License-Identifier: GPL-2.0-only
/*
 * The user stack of the call that changed a thread's namespaces
 * (nstaint_event.ustack, innermost first), printed with the symbols of the
 * process that made it.  Addresses come from frame-pointer unwinding in
 * the kernel, so the function that called a leaf syscall wrapper (one that
 * sets up no frame: glibc's unshare, Go's Syscall6) does not appear: the
 * frame after the wrapper is its caller's caller, as in perf.
 */
#include <inttypes.h>
#include <string.h>

#include "common/strout.h"
#include "sym/symbolize.h"
#include "sym/execlog.h"
#include "sym/ustack.h"

static const char *base_name(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;

	return s ? s + 1 : path;
}

/*
 * Which process each recently seen thread belongs to: the parent of a
 * clone is a tainted thread, so its thread_tainted record (or another
 * one of its process) came first, even if the thread is gone by now.
 */
#define TID_PIDS	256

static struct {
	__u32 tid, pid;
} tid_pids[TID_PIDS];

static void remember_tid(const struct nstaint_event *e)
{
	unsigned int i = e->tid % TID_PIDS;

	tid_pids[i].tid = e->tid;
	tid_pids[i].pid = e->pid;
}

/*
 * Whose address space the stack is in: the caller's.  Records made at
 * clone are reported on the child, but the stack is the parent's (the
 * thread @parent_tid, which called clone), and a new process may already
 * have exec'd something else.  0 when unknown: raw addresses.
 */
static pid_t stack_pid(const struct nstaint_event *e)
{
	unsigned int i = e->parent_tid % TID_PIDS, tgid;
	char path[64], line[128];
	pid_t pid = 0;
	FILE *f;

	if (e->cause != NSTAINT_CAUSE_CLONE ||
	    !(e->flags & NSTAINT_F_NEW_PROCESS)) {
		remember_tid(e);
		return e->pid;
	}
	if (tid_pids[i].tid == e->parent_tid)
		return tid_pids[i].pid;
	snprintf(path, sizeof(path), "/proc/%u/status", e->parent_tid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %u", &tgid) == 1) {
			pid = tgid;
			break;
		}
	fclose(f);
	return pid;
}

static unsigned int depth(const struct nstaint_event *e)
{
	return e->stack_depth < NSTAINT_MAX_STACK ? e->stack_depth :
	       NSTAINT_MAX_STACK;
}

/*
 * Frames worth showing: a caller compiled without frame pointers (glibc)
 * leaves the kernel's walk following whatever its frame-pointer register
 * held, and the "return addresses" after that are data (seen:
 * 0x69622f3d4c4c4548, text of the environment).  While the process can be
 * asked, the stack ends at the first return address outside every
 * mapping; a gone process shows them all, nothing tells them apart.
 *
 * The mappings are read after the record was made: when the process
 * exec'd in between, they are another program's, and the stack is shown
 * raw.  The exec check comes after the lookups, so an exec racing them is
 * caught too.
 */
void ustack_lookup(struct sym_proc *sp, const __u64 *pcs, unsigned int n,
		  bool first_exact, struct ustack *r)
{
	unsigned int i;

	r->all = r->n = n < NSTAINT_MAX_STACK ? n : NSTAINT_MAX_STACK;
	r->gone = !sp;
	r->stale = r->raw = false;
	memset(r->fr, 0, r->all * sizeof(r->fr[0]));
	for (i = 0; sp && i < r->all; i++) {
		sym_lookup(sp, pcs[i], i > 0 || !first_exact, &r->fr[i]);
		if (i > 0 && !r->fr[i].module) {
			r->n = i;
			break;
		}
	}
}

void ustack_unresolved(struct ustack *r, bool gone, bool stale, bool raw)
{
	r->gone = gone;
	r->stale = stale;
	r->raw = raw;
	memset(r->fr, 0, sizeof(r->fr));
	r->n = r->all;
}

void ustack_resolve(const struct nstaint_event *e, bool raw,
		    const struct execlog *execs, struct ustack *r)
{
	pid_t pid;
	struct sym_proc *sp;

	r->all = r->n = depth(e);
	r->gone = r->stale = false;
	r->raw = raw;
	if (!r->all)
		return;
	memset(r->fr, 0, r->all * sizeof(r->fr[0]));
	pid = stack_pid(e);
	if (raw)
		return;
	/* One image for the whole record; its strings outlive the loop. */
	sp = sym_process(pid);
	ustack_lookup(sp, e->ustack, r->all, true, r);
	if (execs && execlog_since(execs, pid, e->ts_ns))
		r->stale = true;
	if (r->gone || r->stale)
		ustack_unresolved(r, r->gone, r->stale, false);
}

void ustack_print_text(FILE *f, const struct nstaint_event *e,
		       const struct ustack *u)
{
	ustack_print_pcs_text(f, e->ustack, e->flags & NSTAINT_F_STACK_TRUNC, u);
}

void ustack_print_pcs_text(FILE *f, const __u64 *pcs, bool trunc,
			   const struct ustack *u)
{
	const struct ustack *r = u;
	unsigned int i;

	if (!r->all)
		return;
	for (i = 0; i < r->n; i++) {
		const struct sym_frame *fr = &r->fr[i];

		fprintf(f, "    #%-2u 0x%" PRIx64, i, (uint64_t)pcs[i]);
		if (fr->func) {
			fputc(' ', f);
			fput_text(f, fr->func);
			fprintf(f, "+0x%" PRIx64, fr->off);
		}
		if (fr->file) {
			fputs(" at ", f);
			fput_text(f, fr->file);
			fprintf(f, ":%d", fr->line);
		}
		if (fr->module) {
			fputs(" (", f);
			fput_text(f, base_name(fr->module));
			fputc(')', f);
		}
		if (i == 0 && r->raw)
			fputs(" (records were queued: not symbolized)", f);
		else if (i == 0 && r->stale)
			fputs(" (process exec'd before its stack was read: "
			      "not symbolized)", f);
		else if (i == 0 && r->gone)
			fputs(" (process gone before its stack was read: "
			      "not symbolized)", f);
		fputc('\n', f);
	}
	if (r->n < r->all)
		fprintf(f, "    ... (%u more outside any mapping: the frame "
			"pointer chain ran into data)\n", r->all - r->n);
	else if (trunc)
		fputs("    ... (deeper frames not captured)\n", f);
}

void ustack_print_json(FILE *f, const struct nstaint_event *e,
		       const struct ustack *u)
{
	ustack_print_pcs_json(f, e->ustack, e->flags & NSTAINT_F_STACK_TRUNC, u);
}

void ustack_print_pcs_json(FILE *f, const __u64 *pcs, bool trunc,
			   const struct ustack *u)
{
	const struct ustack *r = u;
	unsigned int i;

	if (!r->all)
		return;
	fputs(",\"stack\":[", f);
	for (i = 0; i < r->n; i++) {
		const struct sym_frame *fr = &r->fr[i];

		fprintf(f, "%s{\"addr\":\"0x%" PRIx64 "\"", i ? "," : "",
			(uint64_t)pcs[i]);
		if (fr->func) {
			fputs(",\"func\":", f);
			fput_json_str(f, fr->func);
			fprintf(f, ",\"off\":%" PRIu64, fr->off);
		}
		if (fr->file) {
			fputs(",\"file\":", f);
			fput_json_str(f, fr->file);
			fprintf(f, ",\"line\":%d", fr->line);
		}
		if (fr->module) {
			fputs(",\"module\":", f);
			fput_json_str(f, fr->module);
		}
		fputc('}', f);
	}
	fprintf(f, "],\"stack_truncated\":%s,\"stack_unmapped\":%u,"
		"\"stack_stale\":%s,\"stack_raw\":%s",
		trunc ? "true" : "false",
		r->all - r->n, r->stale ? "true" : "false",
		r->raw ? "true" : "false");
}
