// SPDX-License-Identifier: GPL-2.0-only
/*
 * labelcap: see labelcap.h.  A linear search: the cap is small (20 by
 * default) and the lookup runs once per record that carries the label.
 * Out of memory counts as over the cap (the value becomes "_other").
 */
#include <stdlib.h>
#include <string.h>

#include "labelcap.h"

void labelcap_init(struct labelcap *c, size_t max)
{
	c->vals = NULL;
	c->n = 0;
	c->max = max;
}

const char *labelcap_get(struct labelcap *c, const char *v)
{
	char **nv, *copy;
	size_t i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->vals[i], v))
			return c->vals[i];
	if (c->n >= c->max || !strcmp(v, LABELCAP_OTHER))
		return LABELCAP_OTHER;
	nv = realloc(c->vals, (c->n + 1) * sizeof(*nv));
	if (!nv)
		return LABELCAP_OTHER;
	c->vals = nv;
	copy = strdup(v);
	if (!copy)
		return LABELCAP_OTHER;
	c->vals[c->n++] = copy;
	return copy;
}

void labelcap_free(struct labelcap *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->vals[i]);
	free(c->vals);
	labelcap_init(c, c->max);
}
