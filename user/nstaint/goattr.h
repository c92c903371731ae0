/* SPDX-License-Identifier: GPL-2.0-only */
/* Where a Go binary's runtime.g keeps goid and lockedm. */
#ifndef NSTAINT_GOATTR_H
#define NSTAINT_GOATTR_H

#include <stddef.h>
#include <linux/types.h>

struct go_offsets {
	__u32 goid;
	__u32 lockedm;
};

/*
 * Offsets for the Go binary @path, from its runtime.buildVersion
 * (.go.buildinfo) and a table of verified versions.  0 on success,
 * -ENOENT if it is not a Go binary, -ENOTSUP for a version not in the
 * table; @version (if not NULL) receives the version string when found.
 */
int goattr_offsets(const char *path, struct go_offsets *out, char *version,
		   size_t len);

#endif
