/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * When processes last exec'd, as sources report it (struct source_out's
 * exec): written by the drain thread as it reads, read by the decoder
 * after it symbolized a stack.  Stacks are symbolized from a process's
 * mappings of now; a process that exec'd after its record was made has
 * another program's, so that stack is shown raw (stale).  Direct-mapped
 * by pid: a slot shared by two pids keeps the newer exec, and an exec the
 * table no longer holds is not assumed (the stack is symbolized).
 */
#ifndef NSTAINT_EXECLOG_H
#define NSTAINT_EXECLOG_H

#include <stdatomic.h>
#include <stdbool.h>
#include <sys/types.h>
#include <linux/types.h>

#define EXECLOG_SLOTS	16384

struct execlog {
	struct {
		_Atomic __u32 pid;	/* 0: empty; written last */
		_Atomic __u64 ts_ns;
	} slot[EXECLOG_SLOTS];
};

/* Process @pid exec'd at @ts_ns (one writer thread). */
void execlog_note(struct execlog *l, pid_t pid, __u64 ts_ns);

/* Whether @pid is known to have exec'd after @ts_ns (any thread). */
bool execlog_since(const struct execlog *l, pid_t pid, __u64 ts_ns);

#endif
