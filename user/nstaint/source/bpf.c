// SPDX-License-Identifier: GPL-2.0-only
/*
 * The BPF source: loads bpf/nstaint.bpf.c through its skeleton, seeds it
 * (bpf_seed.c), attaches, and hands the ring buffers to bpf_ring.c; at
 * close, the exec-hold protocol ends in bpf_hold.c.  bpf_priv.h lists
 * the other files.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

#include "source/bpf_priv.h"
#include "source/bpf_procinfo.h"
#include "nstaint.skel.h"

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

/* A BPF ring buffer is a power of two pages: the smallest holding @kb KiB. */
static __u32 ringbuf_bytes(unsigned int kb)
{
	__u64 want = (__u64)(kb ?: RINGBUF_KB_DEFAULT) * 1024;
	__u32 sz = 4096;

	while (sz < want)
		sz <<= 1;
	return sz;
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

/* Add a process (and, through fork, its descendants) to the followed set. */
static int follow(struct bpf_priv *p, pid_t pid)
{
	__u32 key = pid;
	__u8 one = 1;

	if (bpf_map_update_elem(bpf_map__fd(p->skel->maps.follow), &key,
				&one, BPF_ANY))
		return -errno;
	return 0;
}

/*
 * Open, load, seed and attach, with setns/unshare hooked by fentry/fexit
 * (@fentry) or by the syscall tracepoints, or not at all in lazy mode.
 * Prints why it failed, except for a fentry attempt, which the caller
 * retries without.
 */
static int load_attach(struct source *b, struct bpf_priv *p, bool fentry)
{
	bool lazy = p->opts.lazy;
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
	skel->rodata->follow_only = p->opts.follow_pid != 0;
	skel->rodata->hold_exec = p->opts.follow_pid != 0;
	bpf_map__set_max_entries(skel->maps.events,
				 ringbuf_bytes(p->opts.ringbuf_kb));
	syscall_hook_prepare(&p->hook, skel);
	exact_prepare(skel, p->opts.exact);
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
	p->pi = procinfo_new(skel, p->opts.follow_pid != 0);
	if (!p->pi) {
		err = -ENOMEM;
		goto err_destroy;
	}
	/* Followed first: seeding looks at followed Go processes only. */
	if (p->opts.follow_pid) {
		err = follow(p, p->opts.follow_pid);
		if (err)
			goto err_destroy;
	}
	err = bpf_seed_from_proc(p);
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
	err = bpf_ring_open(p, fentry);
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
		bpf_detach_release(p);
	bpf_ring_close(p);
	p->closing = false;	/* the tracepoint attempt may follow */
	procinfo_free(p->pi);
	p->pi = NULL;
	nstaint_bpf__destroy(skel);
	p->skel = NULL;
	b->priv = NULL;
	return err;
}

static int bpf_open(struct source *b, const struct source_opts *o)
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
	p->opts = *o;
	p->wait_fd = -1;
	/* Sizes the per-CPU lost counters (bpf_lost.c). */
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
	err = getenv("NSTAINT_NO_FENTRY") || p->opts.lazy ?
	      -ENOTSUP : load_attach(b, p, true);
	if (err) {
		err = load_attach(b, p, false);
		if (!err && !getenv("NSTAINT_NO_FENTRY") && !p->opts.lazy)
			fprintf(stderr, "nstaint: no BPF trampoline (fentry) "
				"here: using syscall tracepoints, which slow "
				"down every system call\n");
		p->attached = p->opts.lazy ? "lazy" : "tracepoint";
	} else {
		p->attached = "fentry";
	}
	if (err)
		free(p);
	return err;
}

static const char *bpf_hook(const struct source *b)
{
	const struct bpf_priv *p = b->priv;

	return p ? p->attached : NULL;
}

static int bpf_poll(struct source *b, int timeout_ms,
		    const struct source_out *out)
{
	struct bpf_priv *p = b->priv;
	int n;

	p->out = out;
	n = bpf_ring_poll(p, timeout_ms);
	p->out = NULL;
	return n;
}

static void bpf_close(struct source *b)
{
	struct bpf_priv *p = b->priv;

	if (!p)
		return;
	bpf_detach_release(p);
	bpf_ring_close(p);
	bpf_check_taint_count(p);
	procinfo_free(p->pi);
	nstaint_bpf__destroy(p->skel);
	free(p);
	b->priv = NULL;
}

const struct source_ops source_bpf_ops = {
	.name = "bpf",
	.caps = SOURCE_CAP_LAZY | SOURCE_CAP_STACKS | SOURCE_CAP_TASKS |
		SOURCE_CAP_EXACT,
	.open = bpf_open,
	.poll = bpf_poll,
	.close = bpf_close,
	.hook = bpf_hook,
};
