// SPDX-License-Identifier: GPL-2.0-only
/*
 * MNRACE_OPTIONS: name=value pairs separated by ':', ',' or blanks, as
 * TSAN_OPTIONS.  One table names every option and how to parse it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"

struct mnr_options mnr_opt = {
	.exitcode = 66, .history_size = 3, .sample = 1, .sample_period = 1024,
};

/* K_POS: an unsigned from 1; K_FRACTION: in (0, 1], as 0.1 or 10%. */
enum kind { K_INT, K_UINT, K_POS, K_BOOL, K_STR, K_FRACTION };

static const struct {
	const char *name;
	enum kind kind;
	void *where;
	size_t size;
} table[] = {
	{ "exitcode", K_INT, &mnr_opt.exitcode, 0 },
	{ "halt_on_error", K_BOOL, &mnr_opt.halt_on_error, 0 },
	{ "log_path", K_STR, mnr_opt.log_path, sizeof(mnr_opt.log_path) },
	{ "history_size", K_UINT, &mnr_opt.history_size, 0 },
	{ "suppressions", K_STR, mnr_opt.suppressions, sizeof(mnr_opt.suppressions) },
	{ "sample", K_FRACTION, &mnr_opt.sample, 0 },
	{ "sample_seed", K_UINT, &mnr_opt.sample_seed, 0 },
	{ "sample_period", K_POS, &mnr_opt.sample_period, 0 },
};

/* What a bad value of each kind should have been. */
static const char *const wanted[] = {
	[K_INT] = "an integer", [K_UINT] = "an integer from 0",
	[K_POS] = "an integer from 1", [K_BOOL] = "0 or 1",
	[K_FRACTION] = "a fraction in (0, 1] or a percent in (0%, 100%]",
};

/* "mnrace: MNRACE_OPTIONS: WHAT 'OPT' (HINT), ignored"; @hint may be NULL. */
static void complain(const char *what, const char *opt, size_t n, const char *hint)
{
	char buf[400];
	int len = snprintf(buf, sizeof(buf), "mnrace: MNRACE_OPTIONS: %s '%.*s'%s%s%s, ignored\n",
			   what, (int)(n > 200 ? 200 : n), opt, hint ? " (want " : "",
			   hint ? hint : "", hint ? ")" : "");

	if (write(2, buf, len) < 0)
		return;
}

static void bad_value(const char *opt, size_t n, enum kind k)
{
	complain("bad value in", opt, n, wanted[k]);
}

static void set_one(const char *opt, size_t n)
{
	const char *eq = memchr(opt, '=', n);
	char val[256];
	char *end;
	long v;

	if (!eq) {
		complain("no value in", opt, n, NULL);
		return;
	}
	if ((size_t)(opt + n - eq - 1) >= sizeof(val)) {
		complain("value too long in", opt, n, NULL);
		return;
	}
	memcpy(val, eq + 1, opt + n - eq - 1);
	val[opt + n - eq - 1] = 0;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (strlen(table[i].name) != (size_t)(eq - opt) ||
		    memcmp(table[i].name, opt, eq - opt))
			continue;
		if (table[i].kind == K_STR) {
			if (strlen(val) >= table[i].size) {
				complain("value too long in", opt, n, NULL);
				return;
			}
			strcpy(table[i].where, val);
			return;
		}
		if (table[i].kind == K_FRACTION) {
			double f = strtod(val, &end);

			if (*end == '%' && end > val) {
				f /= 100;
				end++;
			}
			if (!*val || *end || !(f > 0 && f <= 1)) {
				bad_value(opt, n, table[i].kind);
				return;
			}
			*(double *)table[i].where = f;
			return;
		}
		v = strtol(val, &end, 0);
		if (!*val || *end || (table[i].kind != K_INT && v < 0) ||
		    (table[i].kind == K_BOOL && v > 1) || (table[i].kind == K_POS && v < 1) ||
		    (table[i].kind != K_INT && v > UINT32_MAX)) {
			bad_value(opt, n, table[i].kind);
			return;
		}
		if (table[i].kind == K_BOOL)
			*(bool *)table[i].where = v;
		else if (table[i].kind == K_UINT || table[i].kind == K_POS)
			*(unsigned *)table[i].where = v;
		else
			*(int *)table[i].where = v;
		return;
	}
	complain("unknown option", opt, n, NULL);
}

void options_parse(const char *s)
{
	while (s && *s) {
		size_t n = strcspn(s, ":, \t\n");

		if (n)
			set_one(s, n);
		s += n;
		if (*s)
			s++;
	}
}
