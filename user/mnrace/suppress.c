// SPDX-License-Identifier: GPL-2.0-only
/* race: suppressions (suppress.h). */
#include <stdio.h>
#include <string.h>

#include "rt.h"
#include "suppress.h"

static char **pats;
static unsigned npats;

/* Does @pat (with '*', no anchors left) match at the start of @s, to its
 * end when @to_end? */
static bool match_here(const char *pat, const char *s, bool to_end)
{
	for (;;) {
		if (!*pat)
			return !to_end || !*s;
		if (*pat == '*') {
			while (*pat == '*')
				pat++;
			if (!*pat)
				return true;
			for (; *s; s++)
				if (match_here(pat, s, to_end))
					return true;
			return match_here(pat, s, to_end);
		}
		if (*pat != *s)
			return false;
		pat++;
		s++;
	}
}

bool suppress_pattern_match(const char *pat, const char *s)
{
	char buf[512];
	size_t n = strlen(pat);
	bool start = pat[0] == '^', end;

	if (start)
		pat++, n--;
	end = n && pat[n - 1] == '$';
	if (end)
		n--;
	if (n >= sizeof(buf))
		return false;
	memcpy(buf, pat, n);
	buf[n] = 0;
	if (start)
		return match_here(buf, s, end);
	for (const char *p = s;; p++) {
		if (match_here(buf, p, end))
			return true;
		if (!*p)
			return false;
	}
}

bool suppress_match(const char *name)
{
	if (!name)
		return false;
	for (unsigned i = 0; i < npats; i++)
		if (suppress_pattern_match(pats[i], name))
			return true;
	return false;
}

void suppress_load(const char *path)
{
	char line[512];
	FILE *f;

	if (!path || !*path)
		return;
	f = fopen(path, "r");
	if (!f)
		rt_fatal("cannot read the suppressions file %s", path);
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *e;

		while (*p == ' ' || *p == '\t')
			p++;
		e = p + strcspn(p, "#\r\n");
		while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		*e = 0;
		if (!*p)
			continue;
		if (strncmp(p, "race:", 5) || !p[5]) {
			fclose(f);
			rt_fatal("%s: '%s' is not race:PATTERN (the only kind mnrace knows)",
				 path, p);
		}
		pats = rt_realloc(pats, (npats + 1) * sizeof(*pats));
		pats[npats] = rt_alloc(strlen(p + 5) + 1);
		strcpy(pats[npats++], p + 5);
	}
	fclose(f);
}
