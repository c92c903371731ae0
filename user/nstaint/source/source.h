/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The seam between a source of records (the BPF ring buffer, /dev/nstaint,
 * /proc polling)
 * and the pipeline above it (pipeline/: drain, decode, tracker, sinks).
 * A source hands over whole struct nstaint_event records
 * (include/nstaint/events.h) and, where it knows them, the times processes
 * exec'd (so stacks read after an exec are not symbolized with the new
 * program).  It is given its options at open, reads no global, and calls
 * nothing above it but the two callbacks of struct source_out.
 */
#ifndef NSTAINT_SOURCE_H
#define NSTAINT_SOURCE_H

#include <stdbool.h>
#include <sys/types.h>
#include <nstaint/events.h>

/*
 * The events ring buffer: large enough by default for a burst of about
 * 12 000 records (the drain thread empties it at memory speed into the
 * pipeline's queue); what does not fit is counted as lost.
 */
#define RINGBUF_KB_DEFAULT	4096U
#define RINGBUF_KB_MAX		(1024U * 1024U)

/* The /proc polling backend's scan interval by default, and its bounds. */
#define PROC_INTERVAL_MS_DEFAULT	1000U
#define PROC_INTERVAL_MS_MIN		10U
#define PROC_INTERVAL_MS_MAX		3600000U

/* Options of every source; each says with its caps which it honours. */
struct source_opts {
	pid_t follow_pid;	/* 0: every process; else it and descendants */
	unsigned int ringbuf_kb; /* 0: RINGBUF_KB_DEFAULT */
	bool lazy;		/* namespace changes seen at the next context
				 * switch, no setns/unshare hook */
	bool exact;		/* hook the runtimes' dispatch in processes
				 * with a tainted thread */
	unsigned int proc_interval_ms; /* proc: 0: PROC_INTERVAL_MS_DEFAULT */
};

/* What a source can do (struct source_ops.caps). */
#define SOURCE_CAP_LAZY		(1U << 0) /* honours source_opts.lazy */
#define SOURCE_CAP_STACKS	(1U << 1) /* records carry user stacks */
#define SOURCE_CAP_TASKS	(1U << 2) /* names user tasks (Go, libmn) */
#define SOURCE_CAP_EXACT	(1U << 3) /* honours source_opts.exact */

/* Where a source delivers, from inside ->poll. */
struct source_out {
	/* One record; a non-zero return stops the poll and is returned. */
	int (*record)(void *ctx, const struct nstaint_event *ev);
	/* Process @pid exec'd at @ts_ns (CLOCK_MONOTONIC). */
	void (*exec)(void *ctx, pid_t pid, __u64 ts_ns);
	/* Optional: process @pid has a report ring (include/nstaint/
	 * mn_ring.h) at its fd @fd, as it says: to be opened as hostile. */
	void (*ring)(void *ctx, pid_t pid, int fd);
	void *ctx;
};

struct source;

struct source_ops {
	const char *name;		/* "bpf", "kmod", "proc" */
	unsigned int caps;		/* SOURCE_CAP_* */
	/* Attach and start producing records.  0 or a negative errno;
	 * prints its own diagnostic (not root, no BTF, no module...). */
	int (*open)(struct source *s, const struct source_opts *o);
	/* Wait up to @timeout_ms for records and deliver them to @out.
	 * Returns the number delivered, a negative errno, or the value of
	 * @out->record that stopped it.  Called by one thread at a time. */
	int (*poll)(struct source *s, int timeout_ms,
		    const struct source_out *out);
	/* Detach; what is still queued in the kernel is not delivered. */
	void (*close)(struct source *s);
	/* Optional, once open: how it hooks the kernel ("fentry",
	 * "tracepoint", "lazy", "kprobe", "poll"), for the agent's
	 * nstaint_backend{hook}. */
	const char *(*hook)(const struct source *s);
};

struct source {
	const struct source_ops *ops;
	void *priv;			/* owned by the source */
};

/* The sources, in select.c's table. */
extern const struct source_ops source_bpf_ops;
extern const struct source_ops source_kmod_ops;
extern const struct source_ops source_proc_ops;

#endif
