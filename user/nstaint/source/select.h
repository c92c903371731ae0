/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef NSTAINT_BACKEND_SELECT_H
#define NSTAINT_BACKEND_SELECT_H

#include <stdbool.h>
#include <sys/types.h>
#include "source/source.h"

/* The ops named @name ("bpf" when NULL); NULL with a message if none. */
const struct backend_ops *backend_find(const char *name);

/* Backend knobs, set before ->open (trace.c).  follow_pid applies to
 * every backend (the kmod one too); ringbuf_kb to BPF only. */
/*
 * The events ring buffer: large enough by default for a burst of about
 * 12 000 records (a storm of 8 threads doing 2000 unshares each, with the
 * consumer starved of CPU, fits); what does not fit is counted as lost.
 */
#define RINGBUF_KB_DEFAULT	4096U
#define RINGBUF_KB_MAX		(1024U * 1024U)

struct bpf_backend_opts {
	pid_t follow_pid;	/* 0: every process */
	unsigned int ringbuf_kb; /* 0: RINGBUF_KB_DEFAULT */
	bool lazy;		/* BPF: namespace changes seen at the next
				 * context switch, no setns/unshare hook */
	bool exact;		/* BPF: hook the runtimes' dispatch in
				 * processes with a tainted thread */
};
extern struct bpf_backend_opts bpf_backend_opts;

/*
 * --lazy, shared by trace and top: its help line, and a check that prints
 * why and returns -1 when it is combined with a backend other than bpf.
 */
#define LAZY_HELP \
	"      --lazy          hook no setns/unshare: see namespace changes\n" \
	"                      at the thread's next context switch (cheaper;\n" \
	"                      a change undone before a switch is missed;\n" \
	"                      see docs/trace.md)\n"
int lazy_check_backend(const char *cmd, const struct backend_ops *ops);

/* Add a process (and, through fork, its descendants) to the followed set. */
int backend_bpf_follow(struct backend *b, pid_t pid);

#endif
