/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * labelcap: bound the values one metric label may take (the opt-in
 * --metrics-label=comm).  The first @max distinct values are kept as they
 * are; every later one becomes "_other", so a workload cannot create
 * series without bound (Tetragon #1037: 305k series from one pod label).
 * Values are never forgotten: a series, once served, stays the same.
 */
#ifndef NSTAINT_AGENT_LABELCAP_H
#define NSTAINT_AGENT_LABELCAP_H

#include <stddef.h>

#define LABELCAP_OTHER "_other"

struct labelcap {
	char **vals;
	size_t n, max;
};

void labelcap_init(struct labelcap *c, size_t max);
/* The label value to use for @v: @v's kept copy, or "_other". */
const char *labelcap_get(struct labelcap *c, const char *v);
void labelcap_free(struct labelcap *c);

#endif
