/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * confile: a configuration file of "long-flag = value" lines, turned into
 * the "--long-flag=value" arguments the command line parser already
 * understands, so every option keeps one parser.  The file's arguments go
 * before the command line's, and the parser's last-wins rule gives the
 * precedence defaults < file < flags.
 *
 * Syntax: one option per line; '#' starts a comment (outside a value's
 * quotes); blank lines are skipped; the value may be "double quoted"
 * (to keep leading/trailing blanks or a '#').  A flag without argument
 * takes true/false (also yes/no, 1/0, on/off); false leaves it out.
 */
#ifndef NSTAINT_AGENT_CONFILE_H
#define NSTAINT_AGENT_CONFILE_H

#include <getopt.h>
#include <stdio.h>

struct confile_args {
	char **argv;		/* NULL-terminated */
	int argc;
};

/*
 * Read @path against @opts (getopt_long's table) and append one argument
 * per option line to @out.  On a bad line: a message
 * "@prog: PATH:LINE: ..." on @err and -EINVAL; -errno if the file cannot
 * be read (message too).  @out is left as it was on error.
 */
int confile_read(const char *prog, const char *path, const struct option *opts,
		 struct confile_args *out, FILE *err);

/*
 * argv[0], then @file's arguments, then argv[1..]: what the parser sees.
 * The strings are shared, not copied.  NULL when out of memory.
 */
char **confile_merge(int argc, char **argv, const struct confile_args *file, int *nargc);

/* The value of --@name=VALUE or --@name VALUE in @argv, or NULL. */
const char *confile_find_arg(int argc, char **argv, const char *name);

void confile_free(struct confile_args *a);

#endif
