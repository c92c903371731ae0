// SPDX-License-Identifier: GPL-2.0-only
/*
 * confile: see confile.h.  Validation here is only what the file adds:
 * the option exists, has a value when it takes one and none when it
 * does not.  The value itself is checked by the option's own parser, the
 * same one the command line goes through.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "confile.h"

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Cut a '#' comment that is not inside double quotes. */
static void cut_comment(char *s)
{
	bool quoted = false;

	for (; *s; s++) {
		if (*s == '"')
			quoted = !quoted;
		else if (*s == '#' && !quoted) {
			*s = '\0';
			return;
		}
	}
}

static const struct option *find_opt(const struct option *opts, const char *name)
{
	for (; opts->name; opts++)
		if (!strcmp(opts->name, name))
			return opts;
	return NULL;
}

/* 1 true, 0 false, -1 neither. */
static int parse_bool(const char *v)
{
	static const char *const yes[] = { "true", "yes", "1", "on" };
	static const char *const no[] = { "false", "no", "0", "off" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcasecmp(v, yes[i]))
			return 1;
		if (!strcasecmp(v, no[i]))
			return 0;
	}
	return -1;
}

static int push(struct confile_args *a, char *s)
{
	char **nv = realloc(a->argv, (a->argc + 2) * sizeof(*nv));

	if (!nv) {
		free(s);
		return -ENOMEM;
	}
	a->argv = nv;
	a->argv[a->argc++] = s;
	a->argv[a->argc] = NULL;
	return 0;
}

/* One line's option into @a; -EINVAL with a message on a bad line. */
static int parse_line(const char *prog, const char *path, unsigned int lineno, char *s,
		      const struct option *opts, struct confile_args *a, FILE *err)
{
	const struct option *o;
	char *eq, *key, *val, *arg;
	size_t vlen;
	int b;

	cut_comment(s);
	s = trim(s);
	if (!*s)
		return 0;
	eq = strchr(s, '=');
	if (!eq) {
		fprintf(err, "%s: %s:%u: expected 'option = value', got '%s'\n", prog, path,
			lineno, s);
		return -EINVAL;
	}
	*eq = '\0';
	key = trim(s);
	val = trim(eq + 1);
	if (key[0] == '-' && key[1] == '-')
		key += 2;
	vlen = strlen(val);
	if (vlen >= 2 && val[0] == '"' && val[vlen - 1] == '"') {
		val[vlen - 1] = '\0';
		val++;
	} else if (strchr(val, '"')) {
		fprintf(err, "%s: %s:%u: unbalanced '\"' in the value of '%s'\n", prog, path,
			lineno, key);
		return -EINVAL;
	}
	o = find_opt(opts, key);
	if (!o || !strcmp(key, "config")) {
		fprintf(err, "%s: %s:%u: %s option '%s'\n", prog, path, lineno,
			o ? "a configuration file cannot set" : "unknown", key);
		return -EINVAL;
	}
	if (o->has_arg == no_argument) {
		b = parse_bool(val);
		if (b < 0) {
			fprintf(err, "%s: %s:%u: '%s' takes true or false, not '%s'\n", prog, path,
				lineno, key, val);
			return -EINVAL;
		}
		if (!b)
			return 0;
		if (asprintf(&arg, "--%s", key) < 0)
			return -ENOMEM;
	} else {
		if (!*val && o->has_arg == required_argument) {
			fprintf(err, "%s: %s:%u: '%s' needs a value\n", prog, path, lineno, key);
			return -EINVAL;
		}
		if (asprintf(&arg, "--%s=%s", key, val) < 0)
			return -ENOMEM;
	}
	return push(a, arg);
}

int confile_read(const char *prog, const char *path, const struct option *opts,
		 struct confile_args *out, FILE *err)
{
	struct confile_args got = { 0 };
	unsigned int lineno = 0;
	char *line = NULL;
	size_t cap = 0;
	int rc = 0, i;
	ssize_t n;
	FILE *f;

	f = fopen(path, "re");
	if (!f) {
		rc = -errno;
		fprintf(err, "%s: %s: %s\n", prog, path, strerror(-rc));
		return rc;
	}
	while (!rc && (n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if ((size_t)n != strlen(line)) {
			fprintf(err, "%s: %s:%u: NUL byte in line\n", prog, path, lineno);
			rc = -EINVAL;
			break;
		}
		rc = parse_line(prog, path, lineno, line, opts, &got, err);
	}
	if (!rc && ferror(f)) {
		rc = -EIO;
		fprintf(err, "%s: %s: read error\n", prog, path);
	}
	free(line);
	fclose(f);
	for (i = 0; !rc && i < got.argc; i++) {
		rc = push(out, got.argv[i]);
		got.argv[i] = NULL;
	}
	confile_free(&got);
	return rc;
}

char **confile_merge(int argc, char **argv, const struct confile_args *file, int *nargc)
{
	char **nv = malloc((argc + file->argc + 1) * sizeof(*nv));
	int i, n = 0;

	if (!nv)
		return NULL;
	nv[n++] = argv[0];
	for (i = 0; i < file->argc; i++)
		nv[n++] = file->argv[i];
	for (i = 1; i < argc; i++)
		nv[n++] = argv[i];
	nv[n] = NULL;
	*nargc = n;
	return nv;
}

const char *confile_find_arg(int argc, char **argv, const char *name)
{
	size_t len = strlen(name);
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--"))
			break;
		if (strncmp(a, "--", 2) || strncmp(a + 2, name, len))
			continue;
		if (a[2 + len] == '=')
			return a + 3 + len;
		if (!a[2 + len])
			return i + 1 < argc ? argv[i + 1] : NULL;
	}
	return NULL;
}

void confile_free(struct confile_args *a)
{
	int i;

	for (i = 0; i < a->argc; i++)
		free(a->argv[i]);
	free(a->argv);
	a->argv = NULL;
	a->argc = 0;
}
