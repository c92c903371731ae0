/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The BPF source's state, shared by its files, each with one job:
 *   bpf.c        load, attach, close (source_bpf_ops)
 *   bpf_seed.c   home sets and taints of running processes, from /proc
 *   bpf_ring.c   ring buffer consumption: records, exec and report ring
 *                notices
 *   bpf_sweep.c  a taint's end: its seen[] entries as task_summary records
 *   bpf_lost.c   the per-CPU drop counters as `lost` records
 *   bpf_hold.c   the exec-hold protocol at teardown: nobody left stopped
 *   bpf_procinfo.c  Go offsets and libmn slots, by a worker thread
 */
#ifndef NSTAINT_SOURCE_BPF_PRIV_H
#define NSTAINT_SOURCE_BPF_PRIV_H

#include <stdbool.h>

#include "source/exact.h"
#include "source/source.h"
#include "source/syscall_hook.h"

struct ring_buffer;
struct procinfo;

struct bpf_priv {
	struct source_opts opts;	/* as given to open */
	const char *attached;		/* how: fentry, tracepoint, lazy */
	struct nstaint_bpf *skel;
	struct ring_buffer *rb;		/* execs */
	struct ring_buffer *rb_ev;	/* events */
	int wait_fd;			/* epoll on both */
	/* A pass's events, held until the execs ring is read (bpf_ring.c). */
	struct nstaint_event *stash;
	int nstash;
	bool closing;		/* in close: drain execs, deliver nothing */
	const struct source_out *out;	/* of the poll under way */
	int ret;		/* out->record's non-zero value, stops the poll */
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

/* bpf_seed.c: 0 or a negative errno. */
int bpf_seed_from_proc(struct bpf_priv *p);

/* Records per pass at most (bpf_ring.c). */
#define BPF_RING_STASH	1024

/* bpf_ring.c: the consumer of both rings; @quiet: the caller retries. */
int bpf_ring_open(struct bpf_priv *p, bool quiet);
int bpf_ring_poll(struct bpf_priv *p, int timeout_ms);
/* Read both rings until empty (teardown: p->closing delivers nothing). */
void bpf_ring_drain(struct bpf_priv *p);
/* Free the consumer (NULL-safe, again too). */
void bpf_ring_close(struct bpf_priv *p);

/* bpf_sweep.c: @e (restored or exit) ended a taint: its task summaries. */
int bpf_seen_sweep(struct bpf_priv *p, const struct nstaint_event *e);

/* bpf_lost.c: a `lost` record per reason whose count grew. */
int bpf_report_lost(struct bpf_priv *p);

/* bpf_hold.c: detach, and resume every process held at exec. */
void bpf_detach_release(struct bpf_priv *p);
/* bpf_hold.c: the fast path's tainted-thread count still matches. */
void bpf_check_taint_count(struct bpf_priv *p);

/* Deliver @ev (made here, not read from a ring) and count it. */
static inline int bpf_deliver(struct bpf_priv *p,
			      const struct nstaint_event *ev)
{
	p->delivered++;
	return p->out->record(p->out->ctx, ev);
}

#endif
