// SPDX-License-Identifier: GPL-2.0-only
/*
 * Race reports, in ThreadSanitizer's text format with "mnrace" and
 * "task" where TSan says "ThreadSanitizer" and "thread", so greps and
 * habits carry over (docs/mnrace.md shows one).  The earlier access's
 * stack comes from its slot's history (trace.h); when the history no
 * longer holds it, the race is still reported and the report says so.
 * Each pair of accesses (their pcs, stack_key) is reported once;
 * suppressions (suppress.h) are applied to both stacks and the global's
 * name.  One report at a time.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "cell.h"
#include "depot.h"
#include "fork.h"
#include "instr.h"
#include "location.h"
#include "options.h"
#include "report.h"
#include "ringrace.h"
#include "suppress.h"
#include "sym.h"
#include "trace.h"

static spin_t lock;
static unsigned nreports;
static int log_fd = -1;

/* ---- output ---- */

struct sbuf {
	char *p;
	size_t len, cap;
};

__attribute__((format(printf, 2, 3)))
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && b->len + n < b->cap)
			break;
		b->cap = (b->cap + n + 1) * 2;
		b->p = rt_realloc(b->p, b->cap);
	}
	b->len += n;
}

static int out_fd(void)
{
	char path[300];

	if (log_fd >= 0)
		return log_fd;
	log_fd = 2;
	if (*mnr_opt.log_path && strcmp(mnr_opt.log_path, "stderr")) {
		if (!strcmp(mnr_opt.log_path, "stdout")) {
			log_fd = 1;
		} else {
			snprintf(path, sizeof(path), "%s.%d", mnr_opt.log_path, getpid());
			log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
			if (log_fd < 0) {
				dprintf(2, "mnrace: cannot open log_path %s, reporting to stderr\n", path);
				log_fd = 2;
			}
		}
	}
	return log_fd;
}

static void out(const struct sbuf *b)
{
	int fd = out_fd();

	for (size_t done = 0; done < b->len;) {
		ssize_t n = write(fd, b->p + done, b->len - done);

		if (n <= 0)
			return;
		done += n;
	}
}

void report_note(const char *fmt, ...)
{
	struct sbuf b = { 0 };
	char line[512];
	va_list ap;

	mnr_in_rt++;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	sb_printf(&b, "mnrace: %s", line);
	out(&b);
	rt_free(b.p);
	mnr_in_rt--;
}

void report_init(void)
{
	fork_guard(&lock);	/* outermost: a report takes the task table's */
}

unsigned report_count(void)
{
	return __atomic_load_n(&nreports, __ATOMIC_RELAXED);
}

/* ---- stacks ---- */

#define PRINT_FRAMES	(2 * REPORT_FRAMES)	/* with inlined ones */

struct stack {
	int n;
	uintptr_t pcs[REPORT_FRAMES];
	int used;			/* of pcs[], those printed */
	int nf;				/* printed frames, inlined ones too */
	struct sym_code f[PRINT_FRAMES];
	uintptr_t fpc[PRINT_FRAMES];	/* the pc each frame came from */
};

/*
 * Symbolize, and end the stack at the frame that started the task (the
 * return address into the runtime's thread start or libc's call of
 * main): what is beyond is not the program's.
 */
static void stack_resolve(struct stack *s)
{
	s->nf = 0;
	for (s->used = 0; s->used < s->n && s->nf < PRINT_FRAMES; s->used++) {
		struct sym_code *f = &s->f[s->nf];
		int k = sym_code(s->pcs[s->used], f, PRINT_FRAMES - s->nf);

		if (s->used && f[k - 1].func &&
		    (!strcmp(f[k - 1].func, "mnrace_thread_start") ||
		     !strncmp(f[k - 1].func, "__libc_start", 12)))
			return;
		for (int j = 0; j < k; j++)
			s->fpc[s->nf + j] = s->pcs[s->used];
		s->nf += k;
	}
}

static void stack_print(struct sbuf *b, const struct stack *s)
{
	for (int i = 0; i < s->nf; i++) {
		const struct sym_code *f = &s->f[i];

		sb_printf(b, "    #%d %s", i, f->func ? f->func : "<null>");
		if (f->file)
			sb_printf(b, " %s:%d", f->file, f->line);
		if (f->module)
			sb_printf(b, " (%s+%#lx)\n", f->module, (unsigned long)f->modoff);
		else
			sb_printf(b, " (%#lx)\n", (unsigned long)s->fpc[i]);
	}
}

static bool stack_suppressed(const struct stack *s)
{
	for (int i = 0; i < s->nf; i++)
		if (suppress_match(s->f[i].func) || suppress_match(s->f[i].file) ||
		    suppress_match(s->f[i].module))
			return true;
	return false;
}

static void stack_of_task(struct task *t, uintptr_t pc, struct stack *s)
{
	uint32_t d = t->depth < STACK_MAX ? t->depth : STACK_MAX;

	s->n = 0;
	s->pcs[s->n++] = pc;
	for (; d > 0 && s->n < REPORT_FRAMES; d--)
		s->pcs[s->n++] = t->stk[d - 1];
}

static void stack_of_depot(uint32_t id, struct stack *s)
{
	const uintptr_t *pcs;

	s->n = depot_get(id, &pcs);
	memcpy(s->pcs, pcs, s->n * sizeof(*pcs));
}

/* ---- pairs seen ---- */

/*
 * What names a stack's access for the pairs seen: its pc, and when that
 * is an interceptor's (scope.h: not the program's code, the same for all
 * of the interceptor's callers) its caller's too, so races at two
 * memcpy calls are two reports.
 */
static uintptr_t stack_key(const struct stack *s)
{
	if (!s->n)
		return 0;
	if (s->n > 1 && !pc_instrumented(s->pcs[0]))
		return s->pcs[0] ^ (s->pcs[1] << 1 | s->pcs[1] >> 63);
	return s->pcs[0];
}

#define SEEN_MAX 4096
static uintptr_t seen[SEEN_MAX][2];
static unsigned nseen;

static bool seen_before(uintptr_t a, uintptr_t b)
{
	for (unsigned i = 0; i < nseen; i++)
		if (seen[i][0] == a && seen[i][1] == b)
			return true;
	if (nseen < SEEN_MAX) {
		seen[nseen][0] = a;
		seen[nseen][1] = b;
		nseen++;
	}
	return false;
}

/* ---- the report ---- */

static const char *access_word(bool is_write, bool is_atomic, bool capital)
{
	if (is_atomic)
		return is_write ? (capital ? "Atomic write" : "atomic write") :
				  (capital ? "Atomic read" : "atomic read");
	return is_write ? (capital ? "Write" : "write") : (capital ? "Read" : "read");
}

static void task_line(struct sbuf *b, uint32_t id, struct stack *scratch)
{
	struct task_info ti;

	if (!task_info_get(id, &ti)) {
		sb_printf(b, "  Task %u (unknown)\n", id);
		return;
	}
	sb_printf(b, "  Task %u (%s thread %d)", id,
		  ti.alive ? "running on" : "finished, ran on", ti.tid);
	if (!ti.parent) {
		sb_printf(b, " %s\n", id == 1 ? "is the main task." :
			  "was not created through a function mnrace sees.");
		return;
	}
	sb_printf(b, " created by task %u at:\n", ti.parent);
	stack_of_depot(ti.create_stack, scratch);
	stack_resolve(scratch);
	stack_print(b, scratch);
}

/* @alloc: a heap block's allocation stack, resolved. */
static void location_print(struct sbuf *b, const struct location *l, const struct stack *alloc)
{
	switch (l->kind) {
	case LOC_HEAP:
		sb_printf(b, "  Location is heap block of size %zu at %#lx allocated by task %u:\n",
			  l->size, (unsigned long)l->start, l->task);
		stack_print(b, alloc);
		break;
	case LOC_GLOBAL:
		sb_printf(b, "  Location is global '%s' of size %zu at %#lx (%s+%#lx)\n",
			  l->name, l->size, (unsigned long)l->start, l->module,
			  (unsigned long)l->modoff);
		break;
	case LOC_STACK:
		sb_printf(b, "  Location is stack of task %u.\n", l->task);
		break;
	case LOC_TLS:
		sb_printf(b, "  Location is TLS of task %u.\n", l->task);
		break;
	default:
		break;
	}
}

static struct race_args {
	struct task *t;
	uintptr_t a, pc, word;
	uint32_t n;
	bool is_write, is_atomic;
	uint64_t old;
} args;	/* report_race's, under lock */

static void report_body(void);

/* The race just printed, on the report ring (a use after free has no
 * record kind there); the earlier access is @pa, @pn bytes, by @ptask. */
static void ring_put(const struct race_args *ra, const struct stack *cur,
		     const struct stack *prev, uintptr_t pa, uint32_t pn, uint32_t ptask,
		     const struct location *loc, const struct stack *alloc)
{
	struct task_info ti;
	struct ring_access c = {
		.addr = ra->a, .size = ra->n, .task = ra->t->id,
		.tid = syscall(SYS_gettid), .is_write = ra->is_write,
		.is_atomic = ra->is_atomic, .depth = cur->used, .pcs = cur->pcs,
	};
	struct ring_access p = {
		.addr = pa, .size = pn, .task = ptask,
		.is_write = !cell_is_read(ra->old), .is_atomic = cell_is_atomic(ra->old),
		.depth = prev->used, .pcs = prev->n ? prev->pcs : NULL,
	};

	if (ptask && task_info_get(ptask, &ti))
		p.tid = ti.tid;
	ring_race(&c, &p, loc, alloc->pcs, alloc->used);
}

/*
 * A report runs on a stack of its own (REPORT_STACK, mapped at the first
 * report, kept): a libmn task has 64 KiB, and libdw's line tables need
 * more.  Reports take turns (lock), so one stack serves every thread.
 */
#define REPORT_STACK	(8u << 20)

void report_race(struct task *t, uintptr_t a, uint32_t n, bool is_write,
		 bool is_atomic, uintptr_t pc, uintptr_t word, uint64_t old)
{
	static void *stk;
	static ucontext_t body, back;

	mnr_in_rt++;
	spin_lock(&lock);
	args = (struct race_args){ t, a, pc, word, n, is_write, is_atomic, old };
	if (!stk)
		stk = rt_mmap(REPORT_STACK);
	getcontext(&body);
	body.uc_stack.ss_sp = stk;
	body.uc_stack.ss_size = REPORT_STACK;
	body.uc_link = &back;
	makecontext(&body, report_body, 0);
	swapcontext(&back, &body);
	spin_unlock(&lock);
	mnr_in_rt--;
}

static void report_body(void)
{
	static struct stack cur, prev, alloc, scratch;
	struct task *t = args.t;
	uintptr_t a = args.a, pc = args.pc, word = args.word;
	uint32_t n = args.n;
	bool is_write = args.is_write, is_atomic = args.is_atomic;
	uint64_t old = args.old;
	struct location loc;
	struct sbuf b = { 0 };
	uint8_t m = cell_mask(old);
	uintptr_t pa = word + mask_offset(m);
	uint32_t pn = mask_size(m), ptask = 0;
	bool pwrite = !cell_is_read(old), patomic = cell_is_atomic(old);
	const char *kind = cell_is_freed(old) ? "heap-use-after-free" : "data race";

	stack_of_task(t, pc, &cur);
	prev.n = trace_restore(cell_slot(old), cell_epoch(old), pa, pn, pwrite,
			       prev.pcs, REPORT_FRAMES, &ptask);
	if (seen_before(stack_key(&cur), stack_key(&prev)))
		goto done;
	stack_resolve(&cur);
	stack_resolve(&prev);
	location_of(a, &loc);
	if (stack_suppressed(&cur) || stack_suppressed(&prev) ||
	    (loc.kind == LOC_GLOBAL && suppress_match(loc.name)))
		goto done;

	sb_printf(&b, "==================\n");
	sb_printf(&b, "WARNING: mnrace: %s (pid=%d)\n", kind, getpid());
	sb_printf(&b, "  %s of size %u at %#lx by task %u:\n",
		  access_word(is_write, is_atomic, true), n, (unsigned long)a, t->id);
	stack_print(&b, &cur);
	if (prev.n) {
		sb_printf(&b, "  Previous %s of size %u at %#lx by task %u:\n",
			  access_word(pwrite, patomic, false), pn, (unsigned long)pa, ptask);
		stack_print(&b, &prev);
	} else {
		sb_printf(&b, "  Previous %s of size %u at %#lx by the task in slot %u:\n"
			  "    (stack could not be restored: that part of its history was "
			  "overwritten; raise history_size)\n",
			  access_word(pwrite, patomic, false), pn, (unsigned long)pa,
			  cell_slot(old));
	}
	alloc.n = alloc.used = 0;
	if (loc.kind == LOC_HEAP) {
		stack_of_depot(loc.stack, &alloc);
		stack_resolve(&alloc);
	}
	location_print(&b, &loc, &alloc);
	task_line(&b, t->id, &scratch);
	if (ptask && ptask != t->id)
		task_line(&b, ptask, &scratch);
	sb_printf(&b, "SUMMARY: mnrace: %s", kind);
	if (cur.f[0].file)
		sb_printf(&b, " %s:%d", cur.f[0].file, cur.f[0].line);
	else
		sb_printf(&b, " (%s+%#lx)", cur.f[0].module ? cur.f[0].module : "?",
			  (unsigned long)cur.f[0].modoff);
	sb_printf(&b, " in %s\n", cur.f[0].func ? cur.f[0].func : "<null>");
	sb_printf(&b, "==================\n");
	out(&b);
	if (!cell_is_freed(old))
		ring_put(&args, &cur, &prev, pa, pn, ptask, &loc, &alloc);
	__atomic_fetch_add(&nreports, 1, __ATOMIC_RELAXED);
	if (mnr_opt.halt_on_error) {
		b.len = 0;
		sb_printf(&b, "mnrace: reported %u warnings\n", nreports);
		out(&b);
		fflush(NULL);
		_exit(mnr_opt.exitcode);
	}
done:
	rt_free(b.p);
}
