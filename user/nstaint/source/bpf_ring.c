// SPDX-License-Identifier: GPL-2.0-only
/*
 * The BPF source's ring buffers: `events` (struct nstaint_event records)
 * and `execs` (the pid of each exec of a process the BPF side watches),
 * read by one consumer.  The callbacks run in whatever thread polls (the
 * pipeline's drain thread): nothing slow here; what needs ELF or DWARF
 * goes to the procinfo worker.
 *
 * Order across the two rings: a record made after an exec must reach
 * the pipeline after that exec's notice, or its stack is looked up in
 * the symbols cached for the program before (a wrong answer, not a raw
 * one).  The notice is committed before the new program runs, so before
 * any of its records is even reserved.  Hence each pass copies what the
 * events ring holds aside, then empties the execs ring (every notice
 * older than those records is there by now), then passes the records on.
 * A notice may come ahead of older records of its process: their stacks
 * are then looked up in the new program and found stale (raw), as when
 * the exec comes before they are decoded.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "source/bpf_priv.h"
#include "source/bpf_procinfo.h"
#include <nstaint/taint.h>
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

/* A report ring to read: handed up for the pipeline to open. */
static void ring_found(void *ctx, __u32 pid, int fd)
{
	struct bpf_priv *p = ctx;

	if (!p->closing && p->out && p->out->ring)
		p->out->ring(p->out->ctx, pid, fd);
}

/* libmn:ring_ready fired in a followed process (mnrings ring). */
static int on_mnring(void *ctx, void *data, size_t size)
{
	const struct nstaint_mnring_notice *n = data;

	if (size >= sizeof(*n))
		ring_found(ctx, n->pid, n->fd);
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

static int handle_record(struct bpf_priv *p, const struct nstaint_event *e)
{
	int r;

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

/* Set aside, for after the execs ring (above); a full stash ends the pass. */
static int on_record(void *ctx, void *data, size_t size)
{
	struct bpf_priv *p = ctx;

	if (size < sizeof(struct nstaint_event))
		return 0;
	memcpy(&p->stash[p->nstash++], data, sizeof(p->stash[0]));
	return p->nstash == BPF_RING_STASH ? -ENOBUFS : 0;
}

/*
 * One pass: the events ring set aside, then the execs ring, then the
 * records handled in order.  The number of records, or a negative errno.
 */
static int ring_pass(struct bpf_priv *p)
{
	int err, n, i;

	p->nstash = 0;
	err = ring_buffer__consume(p->rb_ev);
	if (err < 0 && err != -ENOBUFS)
		return err;
	n = p->nstash;
	err = ring_buffer__consume(p->rb);
	if (err < 0)
		return err;
	for (i = 0; i < n; i++) {
		err = handle_record(p, &p->stash[i]);
		if (err)
			return err;
	}
	return n;
}

void bpf_ring_drain(struct bpf_priv *p)
{
	while (ring_pass(p) > 0)
		;
}

void bpf_ring_close(struct bpf_priv *p)
{
	ring_buffer__free(p->rb);
	ring_buffer__free(p->rb_ev);
	if (p->wait_fd >= 0)
		close(p->wait_fd);
	free(p->stash);
	p->rb = p->rb_ev = NULL;
	p->wait_fd = -1;
	p->stash = NULL;
}

/* One more fd for epoll @wfd to wait on; 0 or a negative errno. */
static int wait_on(int wfd, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN };

	return epoll_ctl(wfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

/*
 * The consumers of both rings (one each, so that each can be emptied
 * alone), made before attaching (see bpf.c).  The events ring's data is
 * mapped twice: a large --ringbuf-kb may not fit the address space
 * (ulimit -v).
 */
int bpf_ring_open(struct bpf_priv *p, bool quiet)
{
	int err;

	p->wait_fd = epoll_create1(EPOLL_CLOEXEC);
	p->stash = calloc(BPF_RING_STASH, sizeof(p->stash[0]));
	p->rb = ring_buffer__new(bpf_map__fd(p->skel->maps.execs), on_exec,
				 p, NULL);
	p->rb_ev = ring_buffer__new(bpf_map__fd(p->skel->maps.events),
				    on_record, p, NULL);
	if (p->wait_fd < 0 || !p->stash || !p->rb || !p->rb_ev) {
		err = p->wait_fd < 0 || !p->stash ? -ENOMEM : -errno;
		goto fail;
	}
	/* Ring notices ride with the exec notices: same consumer. */
	err = ring_buffer__add(p->rb, bpf_map__fd(p->skel->maps.mnrings),
			       on_mnring, p);
	if (err)
		goto fail;
	err = wait_on(p->wait_fd, ring_buffer__epoll_fd(p->rb)) ?:
	      wait_on(p->wait_fd, ring_buffer__epoll_fd(p->rb_ev));
	if (err)
		goto fail;
	return 0;
fail:
	bpf_ring_close(p);
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
	struct epoll_event ev;
	int err;

	p->ret = 0;
	p->delivered = 0;
	err = epoll_wait(p->wait_fd, &ev, 1, timeout_ms) < 0 ? -errno : 0;
	if (!err)
		err = ring_pass(p);
	if (p->ret)
		return p->ret;
	if (err < 0 && err != -EINTR)
		return err;
	err = bpf_report_lost(p);
	if (err)
		return err;
	procinfo_rings_take(p->pi, ring_found, p);
	/* Nothing tainted any more: the hook goes. */
	syscall_hook_update(&p->hook, p->skel, NULL);
	exact_update(&p->exact, p->skel);
	return p->delivered;
}
