/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Suppressions, in TSan's syntax: a file of "race:PATTERN" lines ('#'
 * starts a comment).  A race is not reported when PATTERN matches a
 * function, source file or module of either stack, or the name of the
 * global it is on.  PATTERN matches anywhere in the name; '*' matches any
 * run of characters, a leading '^' or trailing '$' anchors it.
 */
#ifndef MNRACE_SUPPRESS_H
#define MNRACE_SUPPRESS_H

#include <stdbool.h>

/* Read @path ("" : none); a file that cannot be read is fatal, like TSan. */
void suppress_load(const char *path);
bool suppress_match(const char *name);
/* Exposed for the test of the matcher. */
bool suppress_pattern_match(const char *pat, const char *s);

#endif
