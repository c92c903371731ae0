/* SPDX-License-Identifier: GPL-2.0-only */
/* The JSON form of a record, shared by `trace --json` and the agent's
 * export (which puts its envelope in front). */
#ifndef NSTAINT_SINK_JSON_H
#define NSTAINT_SINK_JSON_H

#include <stdio.h>

struct record;
struct report;

/*
 * The members of @r's JSON object after the opening '{' (the caller
 * writes it and may put members before), then "}\n".  The record's
 * CLOCK_MONOTONIC time is the member @time_key.
 */
void json_write_record(FILE *f, const struct record *r, const char *time_key);

/* The same for a report from a process's report ring (docs/trace.md). */
void json_write_report(FILE *f, const struct report *rep, const char *time_key);

#endif
