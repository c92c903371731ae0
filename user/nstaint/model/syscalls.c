// SPDX-License-Identifier: GPL-2.0-only
/*
 * The system call name table, generated at build time from the installed
 * <asm/unistd_64.h> (user/nstaint/build.mk): records carry x86-64
 * numbers whatever the host, so the table is that one.
 */
#include <stddef.h>

#include "model/syscalls.h"

static const char *const names[] = {
#include "syscall_names.h"
};

const char *syscall_name(int nr)
{
	if (nr < 0 || (size_t)nr >= sizeof(names) / sizeof(names[0]))
		return NULL;
	return names[nr];
}
