// SPDX-License-Identifier: GPL-2.0-only
#include "model/record.h"

bool record_valid(const struct nstaint_event *e)
{
	return e->version == NSTAINT_ABI_VERSION && e->size == sizeof(*e) &&
	       e->type > NSTAINT_EV_NONE && e->type < NSTAINT_EV_TYPE_COUNT;
}
