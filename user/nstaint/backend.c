// SPDX-License-Identifier: GPL-2.0-only
/* The table of record sources.  The module backend lives on its own
 * branch; a weak reference lets nstaint link without it. */
#include <stdio.h>
#include <string.h>

#include "backend_select.h"

extern const struct backend_ops backend_kmod_ops __attribute__((weak));

struct backend_scope backend_scope;

int backend_select(struct backend *b, const char *name)
{
	memset(b, 0, sizeof(*b));
	if (!name || !strcmp(name, "bpf")) {
		b->ops = &backend_bpf_ops;
		return 0;
	}
	if (!strcmp(name, "kmod")) {
		if (!&backend_kmod_ops) {
			fprintf(stderr, "nstaint: kmod backend not built in\n");
			return -1;
		}
		b->ops = &backend_kmod_ops;
		return 0;
	}
	fprintf(stderr, "nstaint: unknown backend '%s' (bpf or kmod)\n", name);
	return -1;
}
