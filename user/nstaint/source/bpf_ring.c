// SPDX-License-Identifier: GPL-2.0-only
/*
 * The BPF source's ring buffers: `events` (struct nstaint_event records)
 * and `execs` (the pid of each exec of a process the BPF side watches),
 * read by one libbpf consumer.  The callbacks run in whatever thread
 * polls (the pipeline's drain thread): nothing slow here; what needs ELF
 * or DWARF goes to the procinfo worker.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "source/bpf_priv.h"
#include "source/bpf_procinfo.h"
#include "nstaint.skel.h"

/*
 * A process exec'd, and is stopped if followed (hold_exec): the worker
 * reads the new program, then resumes it.  The pipeline learns when, from
 * the time the BPF side kept (execd map), to judge stacks read later.
 */
static int on_exec(void *ctx, void *data, size_t size)
{
	struct bpf_priv *p = ctx;
	__u64 when = 0;
	__u32 pid;

	if (size < sizeof(pid))
		return 0;
	pid = *(__u32 *)data;
	if (p->out && p->out->exec) {
		bpf_map_lookup_elem(bpf_map__fd(p->skel->maps.execd), &pid,
				    &when);
		p->out->exec(p->out->ctx, pid, when);
	}
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
		if (p->opts.exact)
			exact_taint(&p->exact, p->skel, e->pid);
	}
	/* The worker reads its binaries, then resumes it if held. */
	procinfo_tainted(p->pi, e->pid, e->flags & NSTAINT_F_HELD);
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
	if (p->closing || !p->out)
		return 0;
	/* The ns_change before a thread_tainted already finds the taint
	 * counted, and the hook goes on without waiting. */
	syscall_hook_update(&p->hook, p->skel, e);
	r = bpf_deliver(p, e);
	if (!r && (e->type == NSTAINT_EV_THREAD_RESTORED ||
		   e->type == NSTAINT_EV_THREAD_EXIT))
		r = bpf_seen_sweep(p, e);
	if (r) {
		p->ret = r;
		return r;
	}
	return 0;
}

/*
 * One consumer for both rings, made before attaching (see bpf.c).  It
 * maps each ring's data twice: a large --ringbuf-kb may not fit the
 * address space (ulimit -v).
 */
int bpf_ring_open(struct bpf_priv *p, bool quiet)
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

int bpf_ring_poll(struct bpf_priv *p, int timeout_ms)
{
	int err;

	p->ret = 0;
	p->delivered = 0;
	err = ring_buffer__poll(p->rb, timeout_ms);
	if (p->ret)
		return p->ret;
	if (err < 0 && err != -EINTR)
		return err;
	err = bpf_report_lost(p);
	if (err)
		return err;
	/* Nothing tainted any more: the hook goes. */
	syscall_hook_update(&p->hook, p->skel, NULL);
	exact_update(&p->exact, p->skel);
	return p->delivered;
}
