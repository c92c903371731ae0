// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the .gopclntab parser (user/nstaint/sym/gopclntab.c) on
 * the bytes of a section, as a stripped Go binary in a container hands
 * them to the symbolizer.  Input: the section.  Every function-table
 * entry the header names is looked up, and the addresses around it, plus
 * addresses taken from the input's tail; a name found must be a
 * NUL-terminated string inside the section (ASan checks the reads).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "sym/gopclntab.h"

#define TEXT	0x401000ULL	/* .text of the seeds' (non-PIE) binaries */
#define LOOKUPS	128		/* per input, to bound the time per run */

static void lookup(const struct gopclntab *t, const uint8_t *buf,
		   size_t size, uint64_t addr)
{
	const char *name;
	uint64_t off = 0;

	name = gopclntab_func(t, addr, &off);
	if (!name)
		return;
	if (name < (const char *)buf || name >= (const char *)buf + size ||
	    !memchr(name, 0, (const char *)buf + size - name) || off > addr)
		abort();
}

/* Word @i of the header's pointer-sized fields (after the first 8 bytes). */
static uint64_t hdr(const uint8_t *buf, size_t size, unsigned int i)
{
	uint64_t v = 0;

	if (8 + (i + 1) * 8 <= size)
		memcpy(&v, buf + 8 + i * 8, 8);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gopclntab *t;
	uint64_t step, tail, text, nfunc, pcln;
	uint32_t entry;
	uint8_t *buf;
	size_t i;

	buf = fuzz_copy(data, size);
	if (!buf)
		return 0;
	t = gopclntab_parse(buf, size, TEXT);
	if (t) {
		/*
		 * The entries the header points at (read here the way
		 * gopclntab.c's comment lays them out), and the byte before
		 * each: the edges of functions.
		 */
		text = hdr(buf, size, 2) ? hdr(buf, size, 2) : TEXT;
		nfunc = hdr(buf, size, 0);
		pcln = hdr(buf, size, 7);
		step = nfunc / LOOKUPS + 1;
		for (i = 0; i < nfunc && i / step < LOOKUPS; i += step) {
			if (pcln > size || i > (size - pcln) / 8 ||
			    size - pcln - i * 8 < 4)
				break;
			memcpy(&entry, buf + (pcln + i * 8), 4);
			lookup(t, buf, size, text + entry);
			lookup(t, buf, size, text + entry - 1);
		}
		lookup(t, buf, size, 0);
		lookup(t, buf, size, UINT64_MAX);
		/* Addresses the input chooses: its last 8 words. */
		for (i = 0; i < 8 && (i + 1) * 8 <= size; i++) {
			memcpy(&tail, buf + size - (i + 1) * 8, 8);
			lookup(t, buf, size, tail);
			lookup(t, buf, size, TEXT + (uint32_t)tail);
		}
		gopclntab_free(t);
	}
	free(buf);
	return 0;
}
