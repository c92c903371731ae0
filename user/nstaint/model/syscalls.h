/* SPDX-License-Identifier: GPL-2.0-only */
/* x86-64 system call numbers to names (records carry the numbers). */
#ifndef NSTAINT_SYSCALLS_H
#define NSTAINT_SYSCALLS_H

/* The name of system call @nr ("socket"), NULL if unknown or negative. */
const char *syscall_name(int nr);

#endif
