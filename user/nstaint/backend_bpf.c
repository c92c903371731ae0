// SPDX-License-Identifier: GPL-2.0-only
/*
 * BPF backend: loads bpf/nstaint.bpf.c through its skeleton, seeds home
 * sets from the /proc snapshot, and delivers ring buffer records.  Records
 * the kernel side could not reserve are turned into `lost` records here.
 */
#include <errno.h>
#include <signal.h>
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

#include "backend_select.h"
#include "exact.h"
#include "goattr.h"
#include "mnattr.h"
#include "snapshot.h"
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
	__u64 lost_seen;	/* lost total already reported */
	__u64 seen_lost_seen;	/* seen_lost total already reported */
	struct syscall_hook hook;
	struct exact exact;	/* --exact: dispatch hooks per process */
	int ncpus;
	/* libmn: files with the thread_start probe attached, one link each,
	 * and the processes whose registry was read (until they exec). */
	struct mn_usdt {
		dev_t dev;
		ino_t ino;
		struct bpf_link *link;
	} *usdt;
	size_t nusdt;
	__u32 *mnpids;
	size_t nmnpids;
	/* Processes found tainted at start, whose Go binary is inspected
	 * once the probes are attached (reading DWARF takes a while). */
	__u32 *gopending;
	size_t ngopending;
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

static void go_process_check(struct bpf_priv *p, __u32 pid);
static void libmn_process_check(struct bpf_priv *p, __u32 pid);

/*
 * Home sets of running processes, and threads already tainted before we
 * attached, so their later moves and the tasks running on them are known.
 */
static int go_pending_add(struct bpf_priv *p, __u32 pid)
{
	__u32 *n = realloc(p->gopending,
			   (p->ngopending + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;	/* then checked at once */
	p->gopending = n;
	p->gopending[p->ngopending++] = pid;
	return 0;
}

static void go_pending_check(struct bpf_priv *p)
{
	size_t i;

	for (i = 0; i < p->ngopending; i++)
		go_process_check(p, p->gopending[i]);
	free(p->gopending);
	p->gopending = NULL;
	p->ngopending = 0;
}

static int seed_from_proc(struct bpf_priv *p)
{
	int hfd = bpf_map__fd(p->skel->maps.homes);
	int tfd = bpf_map__fd(p->skel->maps.tainted);
	struct snapshot s;
	size_t i, j;

	if (snapshot_take(&s, "/proc", 0) < 0)
		return -errno;
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
		if (tainted && !go_pending_add(p, pid))
			go_process_check(p, pid);
		if (!bpf_backend_opts.follow_pid ||
		    pid == (__u32)bpf_backend_opts.follow_pid)
			libmn_process_check(p, pid);
	}
	snapshot_free(&s);
	return 0;
}

/* Detach every libmn probe and forget the processes read. */
static void libmn_forget(struct bpf_priv *p)
{
	for (size_t i = 0; i < p->nusdt; i++)
		bpf_link__destroy(p->usdt[i].link);
	free(p->usdt);
	free(p->mnpids);
	p->usdt = NULL;
	p->mnpids = NULL;
	p->nusdt = p->nmnpids = 0;
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
	err = nstaint_bpf__attach(skel);
	if (err) {
		if (!fentry)
			fprintf(stderr, "nstaint: cannot attach BPF programs: "
				"%s\n", strerror(-err));
		goto err_destroy;
	}
	go_pending_check(p);
	/* Tainted before we started: hook now (failure printed, not fatal). */
	syscall_hook_update(&p->hook, skel, NULL);
	return 0;

err_destroy:
	free(p->gopending);
	p->gopending = NULL;
	p->ngopending = 0;
	libmn_forget(p);
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
	p->ncpus = libbpf_num_possible_cpus();
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
 * Pids already told about on stderr (goroutines not named), so a process
 * that taints many threads is reported once.
 */
static __u32 go_warned[64];
static unsigned int go_nwarned;

static bool go_warn_once(__u32 pid)
{
	unsigned int i;

	for (i = 0; i < go_nwarned && i < 64; i++)
		if (go_warned[i] == pid)
			return false;
	go_warned[go_nwarned++ % 64] = pid;
	return true;
}

/*
 * First taint in a process: if it is a Go binary whose offsets are known
 * (DWARF, else the version table), tell the BPF programs where its g,
 * goid and lockedm live so they can name the goroutines that run on the
 * tainted thread from now on.  Say why when a Go binary cannot be named.
 */
static void go_process_check(struct bpf_priv *p, __u32 pid)
{
	int fd = bpf_map__fd(p->skel->maps.goprocs);
	struct go_offsets off;
	struct goattr ga;
	char exe[64];
	__u8 one;
	int err;

	if (!bpf_map_lookup_elem(fd, &pid, &off))
		return;
	/* Not reported (trace -p, -- CMD): nothing to name, nothing to say. */
	if (bpf_backend_opts.follow_pid &&
	    bpf_map_lookup_elem(bpf_map__fd(p->skel->maps.follow), &pid, &one))
		return;
	snprintf(exe, sizeof(exe), "/proc/%u/exe", pid);
	err = goattr_read(exe, &ga);
	if (!err)
		bpf_map_update_elem(fd, &pid, &ga.off, BPF_ANY);
	else if (err == -ENOTSUP && go_warn_once(pid))
		fprintf(stderr, "nstaint: pid %u: goroutines will not be "
			"named: %s\n", pid, ga.why);
}

static void mn_slot_add(void *ctx, __u32 tid, __u64 slot_addr)
{
	int *fd = ctx;

	bpf_map_update_elem(*fd, &tid, &slot_addr, BPF_ANY);
}

/* Attach libmn:thread_start in @mp's file, once per file. */
static int libmn_usdt_attach(struct bpf_priv *p, const struct mn_proc *mp)
{
	struct bpf_link *link;
	struct mn_usdt *u;

	for (size_t i = 0; i < p->nusdt; i++)
		if (p->usdt[i].dev == mp->dev && p->usdt[i].ino == mp->ino)
			return 0;
	u = realloc(p->usdt, (p->nusdt + 1) * sizeof(*u));
	if (!u)
		return -ENOMEM;
	p->usdt = u;
	link = bpf_program__attach_usdt(p->skel->progs.mn_thread_start, -1,
					mp->usdt_path, "libmn", "thread_start",
					NULL);
	if (!link)
		return -errno;
	u[p->nusdt++] = (struct mn_usdt){ mp->dev, mp->ino, link };
	return 0;
}

/*
 * A process that may run libmn (at start, at exec, at its first taint):
 * tell sched_switch where each of its threads publishes its running task.
 * The probe goes first, then the registry is read: a thread started in
 * between is in the registry, one started after fires the probe.
 */
static void libmn_process_check(struct bpf_priv *p, __u32 pid)
{
	int fd = bpf_map__fd(p->skel->maps.mnslots), err;
	struct mn_proc mp;
	__u32 *np;

	for (size_t i = 0; i < p->nmnpids; i++)
		if (p->mnpids[i] == pid)
			return;
	if (mnattr_find(pid, &mp))
		return;
	/* libmn.so not mapped yet (at exec): look again at the first taint. */
	if (!mp.usdt_path[0])
		return;
	err = libmn_usdt_attach(p, &mp);
	if (err)
		fprintf(stderr, "nstaint: pid %u: cannot attach "
			"libmn:thread_start in %s: %s; its new threads' tasks "
			"go unnamed\n", pid, mp.usdt_path, strerror(-err));
	err = mnattr_threads(pid, mp.registry, mn_slot_add, &fd);
	if (err < 0)
		fprintf(stderr, "nstaint: pid %u: cannot read the libmn "
			"registry: %s\n", pid, strerror(-err));
	np = realloc(p->mnpids, (p->nmnpids + 1) * sizeof(*np));
	if (!np)
		return;
	p->mnpids = np;
	np[p->nmnpids++] = pid;
}

/* @pid exec'd: whatever it ran before, it is a new program now. */
static void libmn_process_exec(struct bpf_priv *p, __u32 pid)
{
	for (size_t i = 0; i < p->nmnpids; i++) {
		if (p->mnpids[i] == pid) {
			p->mnpids[i] = p->mnpids[--p->nmnpids];
			break;
		}
	}
	libmn_process_check(p, pid);
}

/* A followed process exec'd and is stopped (hold_exec): check, resume. */
static int on_exec(void *ctx, void *data, size_t size)
{
	__u32 pid;

	if (size < sizeof(pid))
		return 0;
	pid = *(__u32 *)data;
	sym_forget(pid);
	go_process_check(ctx, pid);
	libmn_process_exec(ctx, pid);
	if (bpf_backend_opts.follow_pid)
		kill(pid, SIGCONT);
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
		go_process_check(p, e->pid);
		libmn_process_check(p, e->pid);
		syscall_hook_update(&p->hook, p->skel, e);
		if (bpf_backend_opts.exact)
			exact_taint(&p->exact, p->skel, e->pid);
	}
	if (e->flags & NSTAINT_F_HELD)
		kill(e->pid, SIGCONT);
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
	if (r) {
		p->ret = r;
		return r;
	}
	return 0;
}

/*
 * Turn the per-CPU drop counter @map into one `lost` record (@reason) if
 * it grew past *@reported.
 */
static int report_lost_map(struct bpf_priv *p, struct bpf_map *map,
			   __u64 *reported, __u32 reason)
{
	__u64 vals[p->ncpus], total = 0;
	struct nstaint_event ev;
	struct timespec ts;
	__u32 zero = 0;
	int i;

	if (bpf_map_lookup_elem(bpf_map__fd(map), &zero, vals))
		return 0;
	for (i = 0; i < p->ncpus; i++)
		total += vals[i];
	if (total == *reported)
		return 0;
	memset(&ev, 0, sizeof(ev));
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ev.version = NSTAINT_ABI_VERSION;
	ev.type = NSTAINT_EV_LOST;
	ev.size = sizeof(ev);
	ev.syscall_nr = -1;
	ev.lost_reason = reason;
	ev.ts_ns = ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	ev.count = total - *reported;
	*reported = total;
	p->delivered++;
	return p->fn(p->ctx, &ev);
}

static int report_lost(struct bpf_priv *p)
{
	int err = report_lost_map(p, p->skel->maps.lost, &p->lost_seen,
				  NSTAINT_LOST_UNKNOWN);

	return err ?: report_lost_map(p, p->skel->maps.seen_lost,
				      &p->seen_lost_seen,
				      NSTAINT_LOST_SEEN_FULL);
}

/* One consumer for both rings, made at the first poll (or at close). */
static int rb_open(struct bpf_priv *p)
{
	if (p->rb)
		return 0;
	p->rb = ring_buffer__new(bpf_map__fd(p->skel->maps.events),
				 on_record, p, NULL);
	if (!p->rb)
		return -errno;
	if (ring_buffer__add(p->rb, bpf_map__fd(p->skel->maps.execs),
			     on_exec, p))
		return -errno;
	return 0;
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
	err = rb_open(p);
	if (err)
		return err;
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

static void bpf_close(struct backend *b)
{
	struct bpf_priv *p = b->priv;

	if (!p)
		return;
	/*
	 * Processes stopped at exec wait for on_exec's SIGCONT.  Detach first,
	 * so no new stop can come, then drain the exec ring and resume every
	 * process still queued there: stopping trace never leaves a followed
	 * program stopped.  Even with no poll yet (stopped while loading),
	 * and only once no program that started before the detach still runs:
	 * one may have sent SIGSTOP and not yet committed its record.  They
	 * run inside RCU read-side sections, and MEMBARRIER_CMD_GLOBAL waits
	 * for a grace period (synchronize_rcu()); where it is refused
	 * (nohz_full), a pause does the same in practice.
	 */
	syscall_hook_close(&p->hook, p->skel);
	exact_close(&p->exact);
	nstaint_bpf__detach(p->skel);
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0))
		usleep(100 * 1000);
	p->closing = true;
	if (!rb_open(p))
		ring_buffer__consume(p->rb);
	ring_buffer__free(p->rb);
	check_taint_count(p);
	libmn_forget(p);
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
