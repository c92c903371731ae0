/* SPDX-License-Identifier: GPL-2.0-only */
/* A record's user stack, symbolized, as text lines or a JSON member. */
#ifndef NSTAINT_USTACK_H
#define NSTAINT_USTACK_H

#include <stdio.h>
#include <nstaint/events.h>

/* One indented line per frame; nothing when the record has no stack. */
void ustack_print_text(FILE *f, const struct nstaint_event *e);

/* ,"stack":[...],"stack_truncated":BOOL; nothing when it has no stack. */
void ustack_print_json(FILE *f, const struct nstaint_event *e);

#endif
