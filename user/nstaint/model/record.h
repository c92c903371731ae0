/* SPDX-License-Identifier: GPL-2.0-only */
/* The one check of a record's ABI header, for every consumer of records. */
#ifndef NSTAINT_RECORD_H
#define NSTAINT_RECORD_H

#include <stdbool.h>
#include <nstaint/events.h>

/*
 * Whether @e is a record this build understands: our ABI version and
 * record size, and a type in (NONE, COUNT).  The caller has checked that
 * the buffer holds sizeof(*e) bytes.  Every other field is then safe to
 * read; fields that index tables (cause, kinds, stack_depth) are bounded
 * where they are used.
 */
bool record_valid(const struct nstaint_event *e);

#endif
