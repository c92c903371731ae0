/* SPDX-License-Identifier: GPL-2.0-only */
/* A record's user stack, symbolized, as text lines or a JSON member. */
#ifndef NSTAINT_USTACK_H
#define NSTAINT_USTACK_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include <nstaint/events.h>

/*
 * Set by a backend that knows: whether @pid exec'd after @ts_ns (record
 * time).  Stacks are symbolized from the process's mappings of now; after
 * an exec those belong to another program.  NULL: never assumed.
 */
extern bool (*ustack_execd_since)(pid_t pid, __u64 ts_ns);

/* One indented line per frame; nothing when the record has no stack. */
void ustack_print_text(FILE *f, const struct nstaint_event *e);

/* ,"stack":[...],"stack_truncated":BOOL,"stack_unmapped":N,
 * "stack_stale":BOOL; nothing when the record has no stack. */
void ustack_print_json(FILE *f, const struct nstaint_event *e);

#endif
