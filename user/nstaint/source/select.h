/* SPDX-License-Identifier: GPL-2.0-only */
/* Choosing a source by name, and checking the options against it. */
#ifndef NSTAINT_SOURCE_SELECT_H
#define NSTAINT_SOURCE_SELECT_H

#include "source/source.h"

/* The ops named @name ("bpf" when NULL); NULL with a message naming
 * `nstaint @cmd` if there is none. */
const struct source_ops *source_find(const char *cmd, const char *name);

/*
 * Whether @ops honours what @o asks for (--lazy, --exact); -1 after
 * printing why (naming `nstaint @cmd`), else 0.
 */
int source_check_opts(const char *cmd, const struct source_ops *ops,
		      const struct source_opts *o);

/*
 * --lazy, shared by trace and top: its help line.
 */
#define LAZY_HELP \
	"      --lazy          hook no setns/unshare: see namespace changes\n" \
	"                      at the thread's next context switch (cheaper;\n" \
	"                      a change undone before a switch is missed;\n" \
	"                      see docs/trace.md)\n"

#endif
