/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The table of sources: choosing one by name, the order in which
 * `--backend=auto` tries them, and checking the options against one.
 */
#ifndef NSTAINT_SOURCE_SELECT_H
#define NSTAINT_SOURCE_SELECT_H

#include <stdio.h>

#include "source/source.h"

/* The ops named @name (the table's first when NULL); NULL with a message
 * naming `nstaint @cmd` if there is none. */
const struct source_ops *source_find(const char *cmd, const char *name);

/*
 * The @i-th source in the table, NULL past its end: the order a command
 * falls back in (BPF, then the module, then /proc polling).
 */
const struct source_ops *source_nth(size_t i);

/* The table's names to @f, separated by @sep ("bpf, kmod, proc"). */
void source_print_names(FILE *f, const char *sep);

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
