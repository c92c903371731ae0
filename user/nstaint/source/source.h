/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A source of nstaint records: the BPF ring buffer or /dev/nstaint.
 * Userspace above this line does not care which one it reads; both hand
 * over whole struct nstaint_event records (include/nstaint/events.h).
 */
#ifndef NSTAINT_BACKEND_H
#define NSTAINT_BACKEND_H

#include <nstaint/events.h>

/* Called once per record; a non-zero return stops the poll and is passed
 * back to the caller of ->poll. */
typedef int (*event_fn)(void *ctx, const struct nstaint_event *ev);

struct backend;

struct backend_ops {
	const char *name;		/* "bpf", "kmod" */
	/* Attach and start producing records.  0 or a negative errno;
	 * prints its own diagnostic (not root, no BTF, no module...). */
	int (*open)(struct backend *b);
	/* Wait up to @timeout_ms for records and deliver them to @fn.
	 * Returns the number delivered, a negative errno, or @fn's value. */
	int (*poll)(struct backend *b, int timeout_ms, event_fn fn, void *ctx);
	void (*close)(struct backend *b);
};

struct backend {
	const struct backend_ops *ops;
	void *priv;			/* owned by the backend */
};

extern const struct backend_ops backend_bpf_ops;
extern const struct backend_ops backend_kmod_ops;

#endif
