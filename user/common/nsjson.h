/* SPDX-License-Identifier: GPL-2.0-only */
/* Namespace sets and masks as JSON members, for every JSON printer. */
#ifndef NSTAINT_NSJSON_H
#define NSTAINT_NSJSON_H

#include <stdio.h>
#include <linux/types.h>

/* {"mnt":INO,...}: every namespace of @ino, by its name (nsset.h). */
void fput_json_nsset(FILE *f, const __u32 *ino);

/* ["net","uts"]: the namespaces whose bit is set in @mask. */
void fput_json_nsmask(FILE *f, unsigned int mask);

#endif
