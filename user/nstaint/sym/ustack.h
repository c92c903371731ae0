/* SPDX-License-Identifier: GPL-2.0-only */
/* A record's user stack, symbolized, as text lines or a JSON member. */
#ifndef NSTAINT_USTACK_H
#define NSTAINT_USTACK_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include <nstaint/events.h>

#include "sym/symbolize.h"

struct execlog;

/* A record's stack, looked up and checked, ready to print. */
struct ustack {
	unsigned int all;	/* frames in the record */
	unsigned int n;		/* frames worth showing */
	bool gone;		/* process gone: raw addresses */
	bool stale;		/* process exec'd since: raw addresses */
	bool raw;		/* not looked up (the decoder was behind) */
	struct sym_frame fr[NSTAINT_MAX_STACK];
};

/*
 * Symbolize @e's stack into @u, in the decoder's thread; its strings stay
 * valid until the next call.  @raw: do not look it up (addresses only).
 * @execs: exec times, to mark a stack read after an exec stale (NULL:
 * never assumed).
 */
void ustack_resolve(const struct nstaint_event *e, bool raw,
		    const struct execlog *execs, struct ustack *u);

/*
 * The same for @n PCs of a process whose symbols are @sp (sym_process;
 * NULL: gone, addresses only): a report ring's stacks.  @first_exact:
 * @pcs[0] is the address of an instruction, not a return address.
 */
void ustack_lookup(struct sym_proc *sp, const __u64 *pcs, unsigned int n,
		   bool first_exact, struct ustack *u);
/* @u shown raw, for the reason given (its frame count kept). */
void ustack_unresolved(struct ustack *u, bool gone, bool stale, bool raw);

/* One indented line per frame; nothing when the record has no stack. */
void ustack_print_text(FILE *f, const struct nstaint_event *e,
		       const struct ustack *u);

/* ,"stack":[...],"stack_truncated":BOOL,"stack_unmapped":N,
 * "stack_stale":BOOL,"stack_raw":BOOL; nothing when the record has no
 * stack. */
void ustack_print_json(FILE *f, const struct nstaint_event *e,
		       const struct ustack *u);

/* The same for any @pcs resolved into @u; @trunc: deeper frames lost. */
void ustack_print_pcs_text(FILE *f, const __u64 *pcs, bool trunc,
			   const struct ustack *u);
void ustack_print_pcs_json(FILE *f, const __u64 *pcs, bool trunc,
			   const struct ustack *u);

#endif
