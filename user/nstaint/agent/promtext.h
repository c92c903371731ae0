/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * promtext: the Prometheus text exposition format 0.0.4, written into a
 * growing buffer.  One HELP and one TYPE line per family, then its
 * samples; label values and HELP text escaped as the format says.  Names
 * are checked (a bad one is a programming error: the call fails and
 * nothing is written).  Out of memory is sticky: promtext_oom() says the
 * buffer is incomplete and must not be served.
 */
#ifndef NSTAINT_AGENT_PROMTEXT_H
#define NSTAINT_AGENT_PROMTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROMTEXT_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct promtext {
	char *buf;
	size_t len, cap;
	bool oom;
};

enum promtext_type { PROM_COUNTER, PROM_GAUGE };

/* A sample's labels: pairs of name and value, names in a fixed order. */
struct prom_label {
	const char *name;
	const char *value;
};

void promtext_init(struct promtext *p);
void promtext_reset(struct promtext *p);	/* empty, keeps the memory */
void promtext_free(struct promtext *p);
bool promtext_oom(const struct promtext *p);

/* HELP and TYPE lines of family @name; 0, or -EINVAL for a bad name. */
int promtext_family(struct promtext *p, const char *name, enum promtext_type type,
		    const char *help);
/*
 * One sample: @name{labels} value.  @name is the family's (a counter's
 * name ends in _total).  -EINVAL for a bad metric or label name.
 */
int promtext_sample(struct promtext *p, const char *name, const struct prom_label *labels,
		    size_t nlabels, double value);
int promtext_sample_u64(struct promtext *p, const char *name,
			const struct prom_label *labels, size_t nlabels, uint64_t value);

/* Append @len bytes of an already formatted page. */
void promtext_append(struct promtext *p, const char *text, size_t len);

bool promtext_metric_name_valid(const char *name);
bool promtext_label_name_valid(const char *name);

#endif
