/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one event table: the name of every record type, cause, task kind,
 * lost reason and loss stage, as every sink prints them (text, JSON, top,
 * and the agent's metrics next).  selftests/pipeline checks that each
 * value has exactly one name and that the sinks use these.
 */
#ifndef NSTAINT_EVTABLE_H
#define NSTAINT_EVTABLE_H

#include <stdio.h>
#include <nstaint/events.h>
#include <nstaint/mn_ring.h>

/* Causes the ABI defines (enum nstaint_cause has no count of its own). */
#define EV_CAUSE_COUNT		(NSTAINT_CAUSE_DISPATCH + 1)
/* Task kinds the ABI defines (enum nstaint_task_kind). */
#define EV_TASK_KIND_COUNT	(NSTAINT_TASK_LIBMN + 1)

/*
 * Where records were lost: in the kernel (the BPF ring buffer or its
 * tables, the module's ring), in the user-space queue between the
 * drain thread and the decoder (pipeline/queue.h), in the agent's
 * export queue (sink/export.c), or by the writers of processes' report
 * rings, full (reports, not records: pipeline/rings.c).
 */
enum lost_stage {
	LOST_STAGE_KERNEL = 0,
	LOST_STAGE_QUEUE,
	LOST_STAGE_EXPORT,
	LOST_STAGE_RING,
	LOST_STAGE_COUNT,
};

/* "ns_change", ...; NULL for a type outside (NONE, COUNT). */
const char *ev_type_name(unsigned int type);

/* "setns", ...; "unknown" for a cause the table does not know. */
const char *ev_cause_name(unsigned int cause);

/*
 * A task kind: @name in JSON and text ("go", "libmn"; "none" for none or
 * unknown), @abbrev in top's narrow columns ("go", "mn"; "?"), @noun in
 * sentences ("goroutine", "libmn task"; "task").
 */
const char *ev_task_kind_name(unsigned int kind);
const char *ev_task_kind_abbrev(unsigned int kind);
const char *ev_task_kind_noun(unsigned int kind);

/* A lost reason: JSON "reason" value and the words of the text line. */
const char *ev_lost_reason_name(unsigned int reason);
const char *ev_lost_reason_text(unsigned int reason);

/* A loss stage: JSON "stage" value ("kernel", "queue") and its words. */
const char *ev_lost_stage_name(unsigned int stage);
const char *ev_lost_stage_text(unsigned int stage);

/*
 * Report rings (include/nstaint/mn_ring.h): a record kind as its JSON
 * "event" ("data_race", ...; NULL outside (NONE, COUNT)), a runtime
 * error's code ("send_closed", ...; "other" when unknown), where a
 * raced-on address lies ("heap", ...; "unknown").
 */
const char *ev_report_kind_name(unsigned int kind);
const char *ev_runtime_error_name(unsigned int code);
const char *ev_race_loc_name(unsigned int loc);

/* What the report rings gave, and what they cost (pipeline/rings.c). */
struct rep_counts {
	unsigned long long kind[MN_RING_KIND_COUNT];	/* records passed on */
	unsigned long long error[MN_RING_ERR_COUNT];	/* runtime errors */
	unsigned long long opened;	/* rings read */
	unsigned long long lost;	/* dropped by their writers (full) */
	unsigned long long invalid;	/* records that failed the check */
	unsigned long long broken;	/* rings given up (bad sequence) */
	unsigned long long refused;	/* rings not opened (not ours, too many) */
};

/* Records taken, by type, and the sum of the `lost` counts by stage. */
struct ev_counts {
	unsigned long long n[NSTAINT_EV_TYPE_COUNT];
	unsigned long long lost[LOST_STAGE_COUNT];
	struct rep_counts rep;
};

/* Count @e (valid); @stage: where a `lost` record's records were lost. */
void ev_count(struct ev_counts *c, const struct nstaint_event *e,
	      unsigned int stage);

/* Every lost record of the event ABI, whatever the stage (not the
 * reports the rings' writers dropped: ev_print_report_counts). */
unsigned long long ev_lost_total(const struct ev_counts *c);

/*
 * "N ns_change, N thread_tainted, ..., N lost, N task_summary": every
 * type in the table's order, `lost` as the number of records lost.
 */
void ev_print_counts(FILE *f, const struct ev_counts *c);

/* "N data_race, ..., N thread_retired; report rings: N read, N records
 * lost by writers, N invalid, N broken, N not opened". */
void ev_print_report_counts(FILE *f, const struct ev_counts *c);

#endif
