/* SPDX-License-Identifier: GPL-2.0-only */
/* User addresses to "function+0xoff (module)" with elfutils libdwfl. */
#ifndef NSTAINT_SYMBOLIZE_H
#define NSTAINT_SYMBOLIZE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Always writes a NUL-terminated string ("?" when unknown). */
void symbolize(pid_t pid, uint64_t addr, char *buf, size_t len);

#endif
