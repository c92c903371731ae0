/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared by the fuzz targets of selftests/fuzz. */
#ifndef NSTAINT_FUZZ_H
#define NSTAINT_FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * @size bytes of @data in a heap block of exactly that size, so that
 * AddressSanitizer reports a read one byte past the input (libFuzzer's
 * own buffer may have slack).  NULL if out of memory; free() it.
 */
static inline void *fuzz_copy(const uint8_t *data, size_t size)
{
	void *buf = malloc(size ? size : 1);

	if (buf)
		memcpy(buf, data, size);
	return buf;
}

#endif
