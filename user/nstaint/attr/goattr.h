/* SPDX-License-Identifier: GPL-2.0-only */
/* Where a Go binary keeps its running goroutine (g) and g's goid/lockedm. */
#ifndef NSTAINT_GOATTR_H
#define NSTAINT_GOATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <libelf.h>
#include <nstaint/goproc.h>

struct goattr {
	struct go_offsets off;		/* valid when goattr_read returns 0 */
	char version[32];		/* "go1.19.8", or "" if not found */
	bool from_dwarf;		/* false: from the version table */
	bool cgo;			/* g in the executable's PT_TLS block */
	char why[160];			/* -ENOTSUP: why offsets are unknown */
};

/*
 * Inspect the executable @path.  The goid/lockedm offsets come from the
 * DWARF type runtime.g (libdw, compressed sections included); a binary
 * without DWARF falls back to a table of verified Go versions.  The TLS
 * slot of g comes from PT_TLS and runtime.tlsg.
 *
 * 0: a Go binary whose offsets are known (@ga filled);
 * -ENOENT: not a Go binary; -ENOTSUP: a Go binary whose goroutines cannot
 * be named (@ga->why says why); other -errno: cannot read @path.
 */
int goattr_read(const char *path, struct goattr *ga);

/* The same for the ELF file @elf already open (no cache). */
int goattr_read_elf(Elf *elf, struct goattr *ga);

#endif
