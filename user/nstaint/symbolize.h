/* SPDX-License-Identifier: GPL-2.0-only */
/* User addresses of a live process to function, file:line (libdwfl). */
#ifndef NSTAINT_SYMBOLIZE_H
#define NSTAINT_SYMBOLIZE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct sym_frame {
	const char *module;	/* mapped file, NULL when unknown */
	const char *func;	/* symbol, NULL when unknown */
	uint64_t off;		/* address - start of func */
	const char *file;	/* source file from DWARF, or NULL */
	int line;
};

/*
 * Describe @addr in process @pid.  @ret_addr: @addr is a return address
 * (every frame but the innermost), so file:line is that of the call.
 * Strings stay valid until the next sym_* call.  Returns false, with
 * every field NULL, when the process's mappings cannot be read (it has
 * exited): then only the raw address is known.
 */
bool sym_lookup(pid_t pid, uint64_t addr, bool ret_addr,
		struct sym_frame *f);

/* @pid exec'd: its mappings are not the ones cached. */
void sym_forget(pid_t pid);

#endif
