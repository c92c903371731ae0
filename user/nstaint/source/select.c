// SPDX-License-Identifier: GPL-2.0-only
/* The table of record sources; the module backend is optional at link. */
#include <stdio.h>
#include <string.h>

#include "source/source.h"
#include "source/select.h"

/* Written by the kmod part; absent (NULL) when it is not linked in. */
extern const struct backend_ops backend_kmod_ops __attribute__((weak));

const struct backend_ops *backend_find(const char *name)
{
	if (!name || !strcmp(name, "bpf"))
		return &backend_bpf_ops;
	if (!strcmp(name, "kmod")) {
		if (!&backend_kmod_ops) {
			fprintf(stderr,
				"nstaint: the kmod backend is not built in\n");
			return NULL;
		}
		return &backend_kmod_ops;
	}
	fprintf(stderr, "nstaint: unknown backend '%s' (bpf, kmod)\n", name);
	return NULL;
}

int lazy_check_backend(const char *cmd, const struct backend_ops *ops)
{
	if (!bpf_backend_opts.lazy || ops == &backend_bpf_ops)
		return 0;
	fprintf(stderr, "nstaint %s: --lazy is a mode of the bpf backend, "
		"not of %s\n", cmd, ops->name);
	return -1;
}
