/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A record: the one check of a record's ABI header, for every consumer of
 * records, and the decoded record the sinks print (the raw record plus
 * what the decoder found out: its stack symbolized, where a `lost`
 * record's records were lost).  Sinks need nothing else, and call no
 * source.
 */
#ifndef NSTAINT_RECORD_H
#define NSTAINT_RECORD_H

#include <stdbool.h>
#include <nstaint/events.h>

#include "sym/ustack.h"

/*
 * Whether @e is a record this build understands: our ABI version and
 * record size, and a type in (NONE, COUNT).  The caller has checked that
 * the buffer holds sizeof(*e) bytes.  Every other field is then safe to
 * read; fields that index tables (cause, kinds, stack_depth) are bounded
 * where they are used (model/evtable.c).
 */
bool record_valid(const struct nstaint_event *e);

struct record {
	struct nstaint_event ev;	/* valid (record_valid) */
	unsigned int lost_stage;	/* lost: enum lost_stage */
	struct ustack stack;		/* ev's stack, resolved */
};

#endif
