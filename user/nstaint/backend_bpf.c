// SPDX-License-Identifier: GPL-2.0-only
/*
 * The BPF record source: load bpf/nstaint.bpf.c, seed its maps from a /proc
 * snapshot (so threads tainted before we started are known), configure Go
 * processes (at startup and when they exec), and hand ring buffer records to
 * the caller.  Records the kernel could not reserve are counted per CPU and
 * delivered here as synthetic NSTAINT_EV_LOST records: nothing is lost
 * silently.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

#include "backend_select.h"
#include "goinfo.h"
#include "snapshot.h"
#include "bpf/nstaint.skel.h"
#include "../../bpf/nstaint.h"

struct bpf_priv {
	struct nstaint_bpf *skel;
	struct ring_buffer *rb;
	__u64 lost_reported;
	int ncpus;
	event_fn fn;
	void *ctx;
	int delivered;
	int stop;
};

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN && getenv("NSTAINT_DEBUG"))
		return vfprintf(stderr, fmt, ap);
	return 0;
}

/*
 * Inspect the executable @path (of process @pid, or "" before exec).
 * A Go binary goes into gobins (so its next execs are configured by the BPF
 * exec hook itself, before any goroutine runs) and, for a running process,
 * into goprocs.
 */
static void configure_go(struct bpf_priv *p, pid_t pid, const char *path)
{
	struct nstaint_goproc gp = {};
	struct nstaint_file_key fk = {};
	struct goinfo gi;
	struct stat st;
	__u32 key = pid;
	int r, fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		if (fd >= 0)
			close(fd);
		return;
	}
	close(fd);
	r = goinfo_read(path, &gi);
	if (r == -1) {
		fprintf(stderr, "nstaint: %s%.0d is a Go binary (%s) without "
			"symbols, of a version whose runtime.g layout is not "
			"known: goroutines on its threads will not be named\n",
			pid ? "process " : path, pid,
			gi.version[0] ? gi.version : "unknown version");
		return;
	}
	if (r != 1)
		return;
	gp.tls_g_off = gi.tls_g_off;
	gp.goid_off = gi.goid_off;
	gp.lockedm_off = gi.lockedm_off;
	fk.dev = ((__u64)major(st.st_dev) << 20) | minor(st.st_dev);
	fk.ino = st.st_ino;
	bpf_map__update_elem(p->skel->maps.gobins, &fk, sizeof(fk), &gp,
			     sizeof(gp), BPF_ANY);
	if (pid)
		bpf_map__update_elem(p->skel->maps.goprocs, &key, sizeof(key), &gp,
				     sizeof(gp), BPF_ANY);
}

static void configure_go_pid(struct bpf_priv *p, pid_t pid)
{
	char exe[64];

	snprintf(exe, sizeof(exe), "/proc/%d/exe", pid);
	configure_go(p, pid, exe);
}

static void seed(struct bpf_priv *p)
{
	struct snapshot s;
	size_t i, j;

	if (snapshot_take(&s, "/proc", 0))
		return;
	for (i = 0; i < s.nprocs; i++) {
		const struct snap_proc *sp = &s.procs[i];
		struct nstaint_home h;
		__u32 pid = sp->pid;

		if (sp->err)
			continue;
		memcpy(h.ns, sp->home.ino, sizeof(h.ns));
		bpf_map__update_elem(p->skel->maps.homes, &pid, sizeof(pid), &h,
				     sizeof(h), BPF_ANY);
		for (j = 0; j < sp->nthreads; j++) {
			const struct snap_thread *t = &sp->threads[j];
			struct nstaint_tainted tt = {};
			__u32 tid = t->tid;

			if (!t->tainted_mask)
				continue;
			tt.pid = pid;
			tt.mask = t->tainted_mask;
			tt.since_ns = 0;	/* before we started */
			if (!bpf_map__update_elem(p->skel->maps.tainted, &tid, sizeof(tid),
						  &tt, sizeof(tt), BPF_NOEXIST))
				p->skel->bss->ntainted++;	/* not attached yet */
		}
		configure_go_pid(p, sp->pid);
	}
	snapshot_free(&s);
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct bpf_priv *p = ctx;
	int r;

	if (size < sizeof(struct nstaint_event))
		return 0;
	p->delivered++;
	r = p->fn(p->ctx, data);
	if (r)
		p->stop = r;
	return r;
}

static int on_exec(void *ctx, void *data, size_t size)
{
	const struct nstaint_exec_notice *n = data;

	configure_go_pid(ctx, n->pid);
	return 0;
}

static __u64 lost_total(struct bpf_priv *p)
{
	__u64 vals[p->ncpus], sum = 0;
	__u32 zero = 0;

	if (bpf_map__lookup_elem(p->skel->maps.lost, &zero, sizeof(zero), vals,
				 sizeof(vals), 0))
		return p->lost_reported;
	for (int i = 0; i < p->ncpus; i++)
		sum += vals[i];
	return sum;
}

static int load_attach(struct bpf_priv *p, __u32 root, int fentry);

static int bpf_open(struct backend *b)
{
	struct bpf_priv *p;
	__u32 root = backend_scope.root;
	int err;

	if (geteuid() != 0) {
		fprintf(stderr, "nstaint: the BPF backend needs root (CAP_BPF and "
			"CAP_PERFMON): run it with sudo\n");
		return -EPERM;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		fprintf(stderr, "nstaint: this kernel has no BTF "
			"(/sys/kernel/btf/vmlinux): the BPF backend needs "
			"CONFIG_DEBUG_INFO_BTF=y; try --backend=kmod\n");
		return -ENOENT;
	}
	libbpf_set_print(libbpf_quiet);
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->ncpus = libbpf_num_possible_cpus();
	/* NSTAINT_NO_FENTRY=1 forces the fallback (tests, old kernels). */
	err = getenv("NSTAINT_NO_FENTRY") ? -ENOTSUP : load_attach(p, root, 1);
	if (err) {
		/* No BPF trampoline here: fall back to syscall tracepoints. */
		err = load_attach(p, root, 0);
		if (!err)
			fprintf(stderr, "nstaint: fentry unavailable, using syscall "
				"tracepoints (slower for every syscall)\n");
	}
	if (err)
		goto err_free;
	p->rb = ring_buffer__new(bpf_map__fd(p->skel->maps.events), on_event, p, NULL);
	if (!p->rb) {
		err = -errno;
		goto err_destroy;
	}
	err = ring_buffer__add(p->rb, bpf_map__fd(p->skel->maps.execs), on_exec, p);
	if (err)
		goto err_rb;
	b->priv = p;
	return 0;

err_rb:
	ring_buffer__free(p->rb);
err_destroy:
	nstaint_bpf__destroy(p->skel);
err_free:
	free(p);
	return err;
}

/* Open, load, seed and attach, with fentry/fexit (@fentry) or syscall
 * tracepoints for setns/unshare.  Prints why on failure (not when a
 * fentry attempt fails: the caller retries). */
static int load_attach(struct bpf_priv *p, __u32 root, int fentry)
{
	typeof(&p->skel->progs) pr;
	__u8 one = 1;
	int err;

	p->skel = nstaint_bpf__open();
	if (!p->skel) {
		err = -errno;
		fprintf(stderr, "nstaint: cannot open the BPF object: %s\n", strerror(-err));
		return err;
	}
	pr = &p->skel->progs;
	bpf_program__set_autoload(pr->fentry_setns, fentry);
	bpf_program__set_autoload(pr->fexit_setns, fentry);
	bpf_program__set_autoload(pr->fentry_unshare, fentry);
	bpf_program__set_autoload(pr->fexit_unshare, fentry);
	bpf_program__set_autoload(pr->enter_setns, !fentry);
	bpf_program__set_autoload(pr->exit_setns, !fentry);
	bpf_program__set_autoload(pr->enter_unshare, !fentry);
	bpf_program__set_autoload(pr->exit_unshare, !fentry);
	p->skel->rodata->filter_tree = root != 0;
	/* Tests shrink the ring buffer to prove losses are counted. */
	if (getenv("NSTAINT_RINGBUF_BYTES"))
		bpf_map__set_max_entries(p->skel->maps.events,
					 strtoul(getenv("NSTAINT_RINGBUF_BYTES"), NULL, 0));
	err = nstaint_bpf__load(p->skel);
	if (err) {
		if (!fentry)
			fprintf(stderr, "nstaint: cannot load the BPF programs: %s "
				"(NSTAINT_DEBUG=1 shows the verifier log)\n",
				strerror(-err));
		goto err_destroy;
	}
	if (root)
		bpf_map__update_elem(p->skel->maps.follow, &root, sizeof(root), &one,
				     sizeof(one), BPF_ANY);
	seed(p);
	if (backend_scope.exe)
		configure_go(p, 0, backend_scope.exe);
	err = nstaint_bpf__attach(p->skel);
	if (err) {
		if (!fentry)
			fprintf(stderr, "nstaint: cannot attach the BPF programs: %s\n",
				strerror(-err));
		goto err_destroy;
	}
	return 0;

err_destroy:
	nstaint_bpf__destroy(p->skel);
	p->skel = NULL;
	return err;
}

static int bpf_poll(struct backend *b, int timeout_ms, event_fn fn, void *ctx)
{
	struct bpf_priv *p = b->priv;
	__u64 lost;
	int err;

	p->fn = fn;
	p->ctx = ctx;
	p->delivered = 0;
	p->stop = 0;
	err = ring_buffer__poll(p->rb, timeout_ms);
	if (p->stop)
		return p->stop;
	if (err < 0 && err != -EINTR)
		return err;
	lost = lost_total(p);
	if (lost > p->lost_reported) {
		struct nstaint_event ev = {
			.version = NSTAINT_ABI_VERSION,
			.type = NSTAINT_EV_LOST,
			.size = sizeof(ev),
		};
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		ev.ts_ns = ts.tv_sec * 1000000000ULL + ts.tv_nsec;
		ev.count = lost - p->lost_reported;
		p->lost_reported = lost;
		p->delivered++;
		err = fn(ctx, &ev);
		if (err)
			return err;
	}
	return p->delivered;
}

static void bpf_close(struct backend *b)
{
	struct bpf_priv *p = b->priv;

	if (!p)
		return;
	ring_buffer__free(p->rb);
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
