// SPDX-License-Identifier: GPL-2.0-only
/*
 * BPF backend: loads bpf/nstaint.bpf.c through its skeleton, seeds home
 * sets from the /proc snapshot, and delivers ring buffer records.  Records
 * the kernel side could not reserve are turned into `lost` records here.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <linux/membarrier.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

#include <nstaint/nsdiff.h>

#include "backend_select.h"
#include "bpf_procinfo.h"
#include "exact.h"
#include "snapshot_iter.h"
#include "symbolize.h"
#include "syscall_hook.h"
#include "ustack.h"
#include "../../bpf/taint.h"
#include "nstaint.skel.h"

struct bpf_backend_opts bpf_backend_opts;

struct bpf_priv {
	struct nstaint_bpf *skel;
	struct ring_buffer *rb;
	bool closing;		/* in bpf_close: drain execs, deliver nothing */
	event_fn fn;
	void *ctx;
	int ret;		/* fn's non-zero value, stops the poll */
	int delivered;
	/* lost[] totals already reported, per enum nstaint_lost_reason */
	__u64 lost_seen[NSTAINT_LOST_REASON_COUNT];
	struct syscall_hook hook;
	struct exact exact;	/* --exact: dispatch hooks per process */
	int ncpus;
	/* Go offsets and libmn slots of processes, read by a worker; it
	 * resumes the processes held at exec. */
	struct procinfo *pi;
};

static int libbpf_quiet(enum libbpf_print_level lvl, const char *fmt,
			va_list ap)
{
	if (lvl == LIBBPF_WARN && getenv("NSTAINT_DEBUG"))
		return vfprintf(stderr, fmt, ap);
	return 0;
}

/*
 * Syscall tracepoints are looked up through tracefs; mount it when the
 * system did not (minimal containers, early boot).
 */
static int ensure_tracefs(void)
{
	if (!access("/sys/kernel/tracing/events/syscalls", F_OK) ||
	    !access("/sys/kernel/debug/tracing/events/syscalls", F_OK))
		return 0;
	if (mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) &&
	    errno != EBUSY) {
		fprintf(stderr, "nstaint: cannot mount tracefs on "
			"/sys/kernel/tracing: %s\n", strerror(errno));
		return -errno;
	}
	return 0;
}

/*
 * Home sets of running processes, and threads already tainted before we
 * attached, so their later moves and the tasks running on them are known.
 */
static int seed_from_proc(struct bpf_priv *p)
{
	int hfd = bpf_map__fd(p->skel->maps.homes);
	int tfd = bpf_map__fd(p->skel->maps.tainted);
	struct snapshot s;
	size_t i, j;
	int err;

	err = snapshot_take_seed(&s);
	if (err < 0)
		return err;
	for (i = 0; i < s.nprocs; i++) {
		const struct snap_proc *sp = &s.procs[i];
		__u32 pid = sp->pid;
		bool tainted = false;

		if (sp->err)
			continue;
		bpf_map_update_elem(hfd, &pid, &sp->home, BPF_NOEXIST);
		for (j = 0; j < sp->nthreads; j++) {
			struct taint tt = {
				.mask = sp->threads[j].tainted_mask,
			};
			__u32 tid = sp->threads[j].tid;

			if (!tt.mask)
				continue;
			memcpy(tt.ns, sp->threads[j].ns.ino, sizeof(tt.ns));
			/* Not attached yet: the counters are ours alone. */
			tt.gen = ++p->skel->bss->taint_gen;
			if (!bpf_map_update_elem(tfd, &tid, &tt, BPF_NOEXIST))
				p->skel->bss->ntainted++;
			tainted = true;
		}
		/* Their Go binaries: by the worker (DWARF takes a while). */
		if (tainted)
			procinfo_tainted(p->pi, pid, false);
		if (!bpf_backend_opts.follow_pid ||
		    pid == (__u32)bpf_backend_opts.follow_pid)
			procinfo_check_libmn_now(p->pi, pid);
	}
	snapshot_free(&s);
	return 0;
}

/*
 * Open, load, seed and attach, with setns/unshare hooked by fentry/fexit
 * (@fentry) or by the syscall tracepoints, or not at all in lazy mode
 * (bpf_backend_opts.lazy).  Prints why it failed, except for a fentry
 * attempt, which the caller retries without.
 */
/* A BPF ring buffer is a power of two pages: the smallest holding @kb KiB. */
static __u32 ringbuf_bytes(unsigned int kb)
{
	__u64 want = (__u64)(kb ?: RINGBUF_KB_DEFAULT) * 1024;
	__u32 sz = 4096;

	while (sz < want)
		sz <<= 1;
	return sz;
}

/* The loaded object's execd map (one BPF backend per process), or -1. */
static int execd_fd = -1;

/* ustack_execd_since for this backend: the exec times BPF records. */
static bool execd_since(pid_t pid, __u64 ts_ns)
{
	__u32 key = pid;
	__u64 when;

	if (execd_fd < 0 || bpf_map_lookup_elem(execd_fd, &key, &when))
		return false;
	return when > ts_ns;
}

static int rb_open(struct bpf_priv *p, bool quiet);
static void detach_release(struct bpf_priv *p);

/*
 * NSTAINT_SEEN_MAX=N shrinks the dedup table (bpf seen[]) so that tests
 * can fill it with a few thousand tasks instead of 32768.
 */
static void seen_max_from_env(struct nstaint_bpf *skel)
{
	const char *v = getenv("NSTAINT_SEEN_MAX");
	char *end;
	long n;

	if (!v)
		return;
	n = strtol(v, &end, 10);
	if (*end || n <= 0 || n > 1 << 24)
		fprintf(stderr, "nstaint: ignoring NSTAINT_SEEN_MAX=%s "
			"(1 to %d)\n", v, 1 << 24);
	else
		bpf_map__set_max_entries(skel->maps.seen, n);
}

static int load_attach(struct backend *b, struct bpf_priv *p, bool fentry)
{
	bool lazy = bpf_backend_opts.lazy;
	struct nstaint_bpf *skel;
	int err;

	skel = p->skel = nstaint_bpf__open();
	if (!skel) {
		err = -errno;
		fprintf(stderr, "nstaint: cannot open BPF object: %s\n",
			strerror(-err));
		return err;
	}
	bpf_program__set_autoload(skel->progs.fentry_setns, fentry && !lazy);
	bpf_program__set_autoload(skel->progs.fexit_setns, fentry && !lazy);
	bpf_program__set_autoload(skel->progs.fentry_unshare, fentry && !lazy);
	bpf_program__set_autoload(skel->progs.fexit_unshare, fentry && !lazy);
	bpf_program__set_autoload(skel->progs.enter_setns, !fentry && !lazy);
	bpf_program__set_autoload(skel->progs.exit_setns, !fentry && !lazy);
	bpf_program__set_autoload(skel->progs.enter_unshare, !fentry && !lazy);
	bpf_program__set_autoload(skel->progs.exit_unshare, !fentry && !lazy);
	skel->rodata->lazy_ns = lazy;
	skel->rodata->follow_only = bpf_backend_opts.follow_pid != 0;
	skel->rodata->hold_exec = bpf_backend_opts.follow_pid != 0;
	bpf_map__set_max_entries(skel->maps.events,
				 ringbuf_bytes(bpf_backend_opts.ringbuf_kb));
	syscall_hook_prepare(&p->hook, skel);
	exact_prepare(skel, bpf_backend_opts.exact);
	seen_max_from_env(skel);
	err = nstaint_bpf__load(skel);
	if (err) {
		if (!fentry)
			fprintf(stderr, "nstaint: cannot load BPF programs: %s "
				"(NSTAINT_DEBUG=1 shows the verifier log)\n",
				strerror(-err));
		goto err_destroy;
	}
	b->priv = p;
	p->pi = procinfo_new(skel, bpf_backend_opts.follow_pid != 0);
	if (!p->pi) {
		err = -ENOMEM;
		goto err_destroy;
	}
	execd_fd = bpf_map__fd(skel->maps.execd);
	ustack_execd_since = execd_since;
	/* Followed first: seeding looks at followed Go processes only. */
	if (bpf_backend_opts.follow_pid) {
		err = backend_bpf_follow(b, bpf_backend_opts.follow_pid);
		if (err)
			goto err_destroy;
	}
	err = seed_from_proc(p);
	if (err) {
		fprintf(stderr, "nstaint: cannot read /proc: %s\n",
			strerror(-err));
		goto err_destroy;
	}
	/*
	 * Once attached, a followed process that execs stays stopped until
	 * its execs record is read and checked: the consumer and the worker
	 * must exist before, or nobody would ever resume it.
	 */
	err = rb_open(p, fentry);
	if (err)
		goto err_destroy;
	err = procinfo_start(p->pi);
	if (err) {
		fprintf(stderr, "nstaint: cannot start a thread: %s\n",
			strerror(-err));
		goto err_destroy;
	}
	err = nstaint_bpf__attach(skel);
	if (err) {
		if (!fentry)
			fprintf(stderr, "nstaint: cannot attach BPF programs: "
				"%s\n", strerror(-err));
		goto err_destroy;
	}
	/* Tainted before we started: hook now (failure printed, not fatal). */
	syscall_hook_update(&p->hook, skel, NULL);
	return 0;

err_destroy:
	/* Some programs may be attached (attach failed halfway). */
	if (p->rb)
		detach_release(p);
	ring_buffer__free(p->rb);
	p->rb = NULL;
	p->closing = false;	/* the tracepoint attempt may follow */
	procinfo_free(p->pi);
	p->pi = NULL;
	ustack_execd_since = NULL;
	execd_fd = -1;
	nstaint_bpf__destroy(skel);
	p->skel = NULL;
	b->priv = NULL;
	return err;
}

static int bpf_open(struct backend *b)
{
	struct bpf_priv *p;
	int err;

	if (geteuid() != 0) {
		fprintf(stderr, "nstaint: the BPF backend needs root "
			"(CAP_BPF and CAP_PERFMON): run as root\n");
		return -EPERM;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		fprintf(stderr, "nstaint: /sys/kernel/btf/vmlinux missing: "
			"this kernel has no BTF (CONFIG_DEBUG_INFO_BTF); "
			"try --backend=kmod\n");
		return -ENOENT;
	}
	if (ensure_tracefs())
		return -ENOENT;
	libbpf_set_print(libbpf_quiet);
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	/* Sizes the per-CPU lost counters (report_lost). */
	p->ncpus = libbpf_num_possible_cpus();
	if (p->ncpus <= 0) {
		err = p->ncpus < 0 ? p->ncpus : -EINVAL;
		fprintf(stderr, "nstaint: cannot count the possible CPUs "
			"(/sys/devices/system/cpu/possible): %s\n",
			strerror(-err));
		free(p);
		return err;
	}
	/* NSTAINT_NO_FENTRY=1 forces the fallback (tests, old kernels). */
	/* Lazy mode hooks no syscall: nothing to fall back from. */
	err = getenv("NSTAINT_NO_FENTRY") || bpf_backend_opts.lazy ?
	      -ENOTSUP : load_attach(b, p, true);
	if (err) {
		err = load_attach(b, p, false);
		if (!err && !getenv("NSTAINT_NO_FENTRY") &&
		    !bpf_backend_opts.lazy)
			fprintf(stderr, "nstaint: no BPF trampoline (fentry) "
				"here: using syscall tracepoints, which slow "
				"down every system call\n");
	}
	if (err)
		free(p);
	return err;
}

int backend_bpf_follow(struct backend *b, pid_t pid)
{
	struct bpf_priv *p = b->priv;
	__u32 key = pid;
	__u8 one = 1;

	if (bpf_map_update_elem(bpf_map__fd(p->skel->maps.follow), &key,
				&one, BPF_ANY))
		return -errno;
	return 0;
}

/*
 * A process exec'd, and is stopped if followed (hold_exec): the worker
 * reads the new program, then resumes it.  Nothing slow here: this runs
 * in the consumer of both rings.
 */
static int on_exec(void *ctx, void *data, size_t size)
{
	struct bpf_priv *p = ctx;
	__u32 pid;

	if (size < sizeof(pid))
		return 0;
	pid = *(__u32 *)data;
	sym_forget(pid);
	procinfo_exec(p->pi, pid);
	return 0;
}

/*
 * A thread became tainted: know its process's tasks and have the system
 * call hook attached before a held process (NSTAINT_F_HELD) runs on.
 * While closing too: a held process is never left stopped.
 */
static void taint_began(struct bpf_priv *p, const struct nstaint_event *e)
{
	if (!p->closing) {
		syscall_hook_update(&p->hook, p->skel, e);
		if (bpf_backend_opts.exact)
			exact_taint(&p->exact, p->skel, e->pid);
	}
	/* The worker reads its binaries, then resumes it if held. */
	procinfo_tainted(p->pi, e->pid, e->flags & NSTAINT_F_HELD);
}

/*
 * A taint of @e->tid ended (@e: its thread_restored or thread_exit, just
 * delivered): each of its seen[] entries becomes a task_summary record,
 * and goes, so that seen[] holds live taints only.  An entry whose
 * generation is tainted[tid]'s now belongs to a new taint of the same
 * thread and stays; generations only grow, so tainted[] read after the
 * keys were collected tells the live one.  An entry of a taint whose end
 * was lost goes at the thread's next end.
 */
static int seen_sweep(struct bpf_priv *p, const struct nstaint_event *e)
{
	int fd = bpf_map__fd(p->skel->maps.seen), err = 0;
	const __u32 *ns = e->type == NSTAINT_EV_THREAD_RESTORED ? e->ns_old :
							  e->ns_new;
	struct seen_key key, cur, *prev = NULL, *keys = NULL;
	struct seen_val v, *vals = NULL;
	size_t n = 0, cap = 0, i;
	struct nstaint_event ev;
	struct taint tt;
	__u32 tid = e->tid;
	__u64 live = 0;

	while (!bpf_map_get_next_key(fd, prev, &key)) {
		if (!bpf_map_lookup_elem(fd, &key, &v) && v.tid == tid) {
			if (n == cap) {
				cap = cap ? 2 * cap : 16;
				keys = realloc(keys, cap * sizeof(*keys));
				vals = realloc(vals, cap * sizeof(*vals));
				if (!keys || !vals) {
					err = -ENOMEM;
					goto out;
				}
			}
			keys[n] = key;
			vals[n++] = v;
		}
		cur = key;
		prev = &cur;
	}
	if (!bpf_map_lookup_elem(bpf_map__fd(p->skel->maps.tainted), &tid,
				 &tt))
		live = tt.gen;
	for (i = 0; i < n && !err; i++) {
		if (keys[i].gen == live)
			continue;
		ev = *e;
		ev.type = NSTAINT_EV_TASK_SUMMARY;
		ev.cause = seen_cause(keys[i].nr);
		memcpy(ev.ns_old, ns, sizeof(ev.ns_old));
		memcpy(ev.ns_new, ns, sizeof(ev.ns_new));
		ev.changed_mask = 0;
		ev.tainted_mask = nstaint_ns_diff(ns, e->ns_home);
		ev.pid = vals[i].pid;
		ev.flags = 0;
		ev.ret = 0;
		ev.stack_depth = 0;
		ev.task_kind = vals[i].kind;
		ev.task_id = keys[i].task_id;
		ev.syscall_nr = keys[i].nr >= 0 ? keys[i].nr : -1;
		ev.count = vals[i].count;
		bpf_map_delete_elem(fd, &keys[i]);
		p->delivered++;
		err = p->fn(p->ctx, &ev);
	}
out:
	free(keys);
	free(vals);
	return err;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct bpf_priv *p = ctx;
	const struct nstaint_event *e = data;
	int r;

	if (size < sizeof(struct nstaint_event))
		return 0;
	if (e->type == NSTAINT_EV_THREAD_TAINTED ||
	    e->type == NSTAINT_EV_CLONE_FROM_TAINTED)
		taint_began(p, e);
	if (p->closing)
		return 0;
	/*
	 * Before the sink, which may take long (a new process's first stack
	 * reads its DWARF): the ns_change before a thread_tainted already
	 * finds the taint counted, and the hook goes on without waiting.
	 */
	syscall_hook_update(&p->hook, p->skel, e);
	r = p->fn(p->ctx, data);
	p->delivered++;
	if (!r && (e->type == NSTAINT_EV_THREAD_RESTORED ||
		   e->type == NSTAINT_EV_THREAD_EXIT))
		r = seen_sweep(p, e);
	if (r) {
		p->ret = r;
		return r;
	}
	return 0;
}

/*
 * Turn the per-CPU drop counters into `lost` records: one for each reason
 * whose count grew since the last call.
 */
static int report_lost(struct bpf_priv *p)
{
	int fd = bpf_map__fd(p->skel->maps.lost);
	__u64 vals[p->ncpus], total;
	struct nstaint_event ev;
	struct timespec ts;
	__u32 reason;
	int i, err;

	for (reason = 0; reason < NSTAINT_LOST_REASON_COUNT; reason++) {
		if (bpf_map_lookup_elem(fd, &reason, vals))
			continue;
		for (total = 0, i = 0; i < p->ncpus; i++)
			total += vals[i];
		if (total == p->lost_seen[reason])
			continue;
		memset(&ev, 0, sizeof(ev));
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ev.version = NSTAINT_ABI_VERSION;
		ev.type = NSTAINT_EV_LOST;
		ev.size = sizeof(ev);
		ev.syscall_nr = -1;
		ev.lost_reason = reason;
		ev.ts_ns = ts.tv_sec * 1000000000ULL + ts.tv_nsec;
		ev.count = total - p->lost_seen[reason];
		p->lost_seen[reason] = total;
		p->delivered++;
		err = p->fn(p->ctx, &ev);
		if (err)
			return err;
	}
	return 0;
}

/*
 * One consumer for both rings, made before attaching (see load_attach).
 * It maps each ring's data twice: a large --ringbuf-kb may not fit the
 * address space (ulimit -v).  @quiet: the caller retries (fentry).
 */
static int rb_open(struct bpf_priv *p, bool quiet)
{
	int err;

	p->rb = ring_buffer__new(bpf_map__fd(p->skel->maps.execs), on_exec,
				 p, NULL);
	if (!p->rb) {
		err = -errno;
		goto fail;
	}
	err = ring_buffer__add(p->rb, bpf_map__fd(p->skel->maps.events),
			       on_record, p);
	if (err) {
		ring_buffer__free(p->rb);
		p->rb = NULL;
		goto fail;
	}
	return 0;
fail:
	if (!quiet)
		fprintf(stderr, "nstaint: cannot map the BPF ring buffer "
			"(%u KiB): %s%s\n",
			bpf_map__max_entries(p->skel->maps.events) / 1024,
			strerror(-err), err == -ENOMEM ? "; a smaller "
			"--ringbuf-kb or a larger ulimit -v would fit" : "");
	return err;
}

static int bpf_poll(struct backend *b, int timeout_ms, event_fn fn,
		    void *ctx)
{
	struct bpf_priv *p = b->priv;
	int err;

	p->fn = fn;
	p->ctx = ctx;
	p->ret = 0;
	p->delivered = 0;
	err = ring_buffer__poll(p->rb, timeout_ms);
	if (p->ret)
		return p->ret;
	if (err < 0 && err != -EINTR)
		return err;
	err = report_lost(p);
	if (err)
		return err;
	/* Nothing tainted any more: the hook goes. */
	syscall_hook_update(&p->hook, p->skel, NULL);
	exact_update(&p->exact, p->skel);
	return p->delivered;
}

/*
 * The sched_switch fast path trusts ntainted to equal the number of
 * entries of tainted[] (bpf/nstaint.bpf.c).  Once detached and past a
 * grace period nothing changes either: say so if they differ.
 */
static void check_taint_count(struct bpf_priv *p)
{
	int fd = bpf_map__fd(p->skel->maps.tainted);
	__u32 key, next, *prev = NULL;
	unsigned long long n = 0;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		n++;
	}
	if (n != p->skel->bss->ntainted)
		fprintf(stderr, "nstaint: internal error: %llu tainted threads "
			"counted, %llu in the map\n",
			(unsigned long long)p->skel->bss->ntainted, n);
}

/*
 * Processes stopped at exec wait for the worker's SIGCONT.  Detach first,
 * so no new stop can come; stop the worker, which resumes what it holds
 * without reading any more programs; then drain the exec ring, whose last
 * records are resumed at once: stopping (or failing to start) never
 * leaves a followed program stopped.  Only once no program that started
 * before the detach still runs: one may have sent SIGSTOP and not yet
 * committed its record.  They run inside RCU read-side sections, and
 * MEMBARRIER_CMD_GLOBAL waits for a grace period (synchronize_rcu());
 * where it is refused (nohz_full), a pause does the same in practice.
 */
static void detach_release(struct bpf_priv *p)
{
	syscall_hook_close(&p->hook, p->skel);
	exact_close(&p->exact);
	nstaint_bpf__detach(p->skel);
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0))
		usleep(100 * 1000);
	p->closing = true;
	procinfo_stop(p->pi);
	ring_buffer__consume(p->rb);
}

static void bpf_close(struct backend *b)
{
	struct bpf_priv *p = b->priv;

	if (!p)
		return;
	detach_release(p);
	ring_buffer__free(p->rb);
	check_taint_count(p);
	procinfo_free(p->pi);
	ustack_execd_since = NULL;
	execd_fd = -1;
	nstaint_bpf__destroy(p->skel);
	free(p);
	b->priv = NULL;
}

const struct backend_ops backend_bpf_ops = {
	.name = "bpf",
	.open = bpf_open,
	.poll = bpf_poll,
	.close = bpf_close,
};
