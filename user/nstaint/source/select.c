// SPDX-License-Identifier: GPL-2.0-only
/* The table of record sources. */
#include <stdio.h>
#include <string.h>

#include "source/select.h"

/* The default first, then the order of falling back. */
static const struct source_ops *const sources[] = {
	&source_bpf_ops,
	&source_kmod_ops,
	&source_proc_ops,
};

#define NSOURCES (sizeof(sources) / sizeof(sources[0]))

const struct source_ops *source_nth(size_t i)
{
	return i < NSOURCES ? sources[i] : NULL;
}

void source_print_names(FILE *f, const char *sep)
{
	size_t i;

	for (i = 0; i < NSOURCES; i++)
		fprintf(f, "%s%s", i ? sep : "", sources[i]->name);
}

const struct source_ops *source_find(const char *cmd, const char *name)
{
	size_t i;

	if (!name)
		return sources[0];
	for (i = 0; i < NSOURCES; i++)
		if (!strcmp(name, sources[i]->name))
			return sources[i];
	fprintf(stderr, "nstaint %s: unknown backend '%s' (", cmd, name);
	source_print_names(stderr, ", ");
	fprintf(stderr, ")\n");
	return NULL;
}

int source_check_opts(const char *cmd, const struct source_ops *ops,
		      const struct source_opts *o)
{
	if (o->lazy && !(ops->caps & SOURCE_CAP_LAZY)) {
		fprintf(stderr, "nstaint %s: --lazy is a mode of the bpf "
			"backend, not of %s\n", cmd, ops->name);
		return -1;
	}
	if (o->exact && !(ops->caps & SOURCE_CAP_EXACT)) {
		fprintf(stderr, "nstaint %s: --exact needs the bpf backend\n",
			cmd);
		return -1;
	}
	return 0;
}
