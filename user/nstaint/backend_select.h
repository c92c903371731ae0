/* SPDX-License-Identifier: GPL-2.0-only */
/* Choosing a record source (--backend=bpf|kmod) and what it should watch. */
#ifndef NSTAINT_BACKEND_SELECT_H
#define NSTAINT_BACKEND_SELECT_H

#include <stdbool.h>
#include <sys/types.h>
#include "backend.h"

/* What to watch; read by a backend's ->open.  root == 0: every process.
 * Otherwise @root and every process it (transitively) creates. */
struct backend_scope {
	pid_t root;
	const char *exe;	/* executable @root is about to exec, or NULL */
};
extern struct backend_scope backend_scope;

/* Fill @b with the backend called @name ("bpf" when NULL).  Returns 0, or
 * -1 after printing why (unknown name, not built in). */
int backend_select(struct backend *b, const char *name);

#endif
