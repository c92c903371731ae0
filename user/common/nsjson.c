// SPDX-License-Identifier: GPL-2.0-only
#include <nstaint/events.h>

#include "common/nsjson.h"
#include "common/nsset.h"

void fput_json_nsset(FILE *f, const __u32 *ino)
{
	fputc('{', f);
	for (int i = 0; i < NSTAINT_NS_COUNT; i++)
		fprintf(f, "%s\"%s\":%u", i ? "," : "", ns_names[i], ino[i]);
	fputc('}', f);
}

void fput_json_nsmask(FILE *f, unsigned int mask)
{
	const char *sep = "";

	fputc('[', f);
	for (int i = 0; i < NSTAINT_NS_COUNT; i++) {
		if (!(mask & NSTAINT_NS_BIT(i)))
			continue;
		fprintf(f, "%s\"%s\"", sep, ns_names[i]);
		sep = ",";
	}
	fputc(']', f);
}
