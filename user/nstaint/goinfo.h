/* SPDX-License-Identifier: GPL-2.0-only */
/* Where a Go program keeps its current goroutine: TLS slot and runtime.g
 * member offsets, from the binary's DWARF or a version table. */
#ifndef NSTAINT_GOINFO_H
#define NSTAINT_GOINFO_H

#include <sys/types.h>

struct goinfo {
	long tls_g_off;		/* g pointer at fsbase + this */
	unsigned int goid_off;
	unsigned int lockedm_off;
	int from_dwarf;		/* 0: version table (stripped binary) */
	char version[32];	/* "go1.19.8" if found */
};

/*
 * Inspect @path.  Returns 1 and fills @gi for a Go binary whose offsets are
 * known, 0 for a non-Go binary, -1 for a Go binary without symbols of an
 * unknown version (@gi->version says which), -errno on I/O errors.
 */
int goinfo_read(const char *path, struct goinfo *gi);

#endif
