// SPDX-License-Identifier: GPL-2.0-only
/*
 * promtext: Prometheus text format 0.0.4 (see promtext.h).  Why by hand:
 * the format is a few lines of escaping, and the agent must not pull a
 * client library into a BPF tool.  Values: integers exactly (a counter
 * of records passes 2^53 long before a double would say so), other
 * values with %.17g so they read back bit for bit, and the format's own
 * spellings +Inf, -Inf and NaN.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "promtext.h"

void promtext_init(struct promtext *p)
{
	memset(p, 0, sizeof(*p));
}

void promtext_reset(struct promtext *p)
{
	p->len = 0;
	p->oom = false;
	if (p->buf)
		p->buf[0] = '\0';
}

void promtext_free(struct promtext *p)
{
	free(p->buf);
	promtext_init(p);
}

bool promtext_oom(const struct promtext *p)
{
	return p->oom;
}

/* Room for @n more bytes plus the terminating NUL. */
static bool reserve(struct promtext *p, size_t n)
{
	size_t cap;
	char *nb;

	if (p->oom)
		return false;
	if (p->len + n + 1 <= p->cap)
		return true;
	cap = p->cap ? p->cap : 4096;
	while (cap < p->len + n + 1)
		cap *= 2;
	nb = realloc(p->buf, cap);
	if (!nb) {
		p->oom = true;
		return false;
	}
	p->buf = nb;
	p->cap = cap;
	return true;
}

static void put(struct promtext *p, const char *s, size_t n)
{
	if (!reserve(p, n))
		return;
	memcpy(p->buf + p->len, s, n);
	p->len += n;
	p->buf[p->len] = '\0';
}

void promtext_append(struct promtext *p, const char *text, size_t len)
{
	put(p, text, len);
}

static void puts_(struct promtext *p, const char *s)
{
	put(p, s, strlen(s));
}

static void printf_(struct promtext *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void printf_(struct promtext *p, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(tmp))
		put(p, tmp, n);
}

/*
 * The format's escapes: in HELP text backslash and newline; in a label
 * value also the double quote.  Other bytes pass as they are (the format
 * is UTF-8; a caller with untrusted bytes cleans them first).
 */
static void put_escaped(struct promtext *p, const char *s, bool quote)
{
	const char *run = s;

	for (; *s; s++) {
		const char *esc = NULL;

		if (*s == '\\')
			esc = "\\\\";
		else if (*s == '\n')
			esc = "\\n";
		else if (quote && *s == '"')
			esc = "\\\"";
		if (!esc)
			continue;
		put(p, run, s - run);
		puts_(p, esc);
		run = s + 1;
	}
	put(p, run, s - run);
}

static bool name_valid(const char *name, bool colon)
{
	const char *s = name;

	if (!*s)
		return false;
	for (; *s; s++) {
		char c = *s;
		bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     c == '_' || (colon && c == ':');

		if (!alpha && !(s != name && c >= '0' && c <= '9'))
			return false;
	}
	return true;
}

bool promtext_metric_name_valid(const char *name)
{
	return name && name_valid(name, true);
}

bool promtext_label_name_valid(const char *name)
{
	/* Names starting with __ are reserved for Prometheus itself. */
	return name && name_valid(name, false) && strncmp(name, "__", 2) != 0;
}

int promtext_family(struct promtext *p, const char *name, enum promtext_type type,
		    const char *help)
{
	if (!promtext_metric_name_valid(name) || !help)
		return -EINVAL;
	puts_(p, "# HELP ");
	puts_(p, name);
	puts_(p, " ");
	put_escaped(p, help, false);
	puts_(p, "\n# TYPE ");
	puts_(p, name);
	puts_(p, type == PROM_COUNTER ? " counter\n" : " gauge\n");
	return 0;
}

static int sample_head(struct promtext *p, const char *name,
		       const struct prom_label *labels, size_t nlabels)
{
	size_t i;

	if (!promtext_metric_name_valid(name))
		return -EINVAL;
	for (i = 0; i < nlabels; i++)
		if (!promtext_label_name_valid(labels[i].name) || !labels[i].value)
			return -EINVAL;
	puts_(p, name);
	if (nlabels) {
		puts_(p, "{");
		for (i = 0; i < nlabels; i++) {
			if (i)
				puts_(p, ",");
			puts_(p, labels[i].name);
			puts_(p, "=\"");
			put_escaped(p, labels[i].value, true);
			puts_(p, "\"");
		}
		puts_(p, "}");
	}
	puts_(p, " ");
	return 0;
}

int promtext_sample(struct promtext *p, const char *name, const struct prom_label *labels,
		    size_t nlabels, double value)
{
	int err = sample_head(p, name, labels, nlabels);

	if (err)
		return err;
	if (isnan(value))
		puts_(p, "NaN\n");
	else if (isinf(value))
		puts_(p, value > 0 ? "+Inf\n" : "-Inf\n");
	else
		printf_(p, "%.17g\n", value);
	return 0;
}

int promtext_sample_u64(struct promtext *p, const char *name,
			const struct prom_label *labels, size_t nlabels, uint64_t value)
{
	int err = sample_head(p, name, labels, nlabels);

	if (err)
		return err;
	printf_(p, "%" PRIu64 "\n", value);
	return 0;
}
