/* SPDX-License-Identifier: GPL-2.0-only */
/* One record as one line of text or one JSON object (ps --json names). */
#ifndef NSTAINT_EVFMT_H
#define NSTAINT_EVFMT_H

#include <stdio.h>
#include <nstaint/events.h>

extern const char *const event_names[NSTAINT_EV_TYPE_COUNT];

const char *event_name(unsigned int type);
void evfmt_text(FILE *f, const struct nstaint_event *ev);
void evfmt_json(FILE *f, const struct nstaint_event *ev);

#endif
