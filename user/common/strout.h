/* SPDX-License-Identifier: GPL-2.0-only */
/* Printing untrusted bytes (thread names, paths) safely. */
#ifndef NSTAINT_STROUT_H
#define NSTAINT_STROUT_H

#include <stdio.h>

/*
 * Text: printable ASCII as is; backslash, control bytes and bytes >= 0x7f
 * as \\ and \xHH, so one name is always one line and greppable.
 */
void fput_text(FILE *f, const char *s);

/*
 * JSON string with the quotes.  Valid UTF-8 is kept, control characters
 * and quotes are escaped, and each byte that is not valid UTF-8 becomes
 * U+FFFD, so the output is always valid JSON.
 */
void fput_json_str(FILE *f, const char *s);

#endif
