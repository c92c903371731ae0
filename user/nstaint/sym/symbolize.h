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

struct sym_proc;

/*
 * The symbols of process @pid as its image is now (/proc/PID/exe is
 * looked at once, here), for one record.  Every string sym_lookup gives
 * for it stays valid until the next sym_process or sym_forget call, so a
 * record's frames all come from one image and outlive each other's
 * lookups.  NULL when the process's mappings cannot be read (it exited
 * before we first looked): then only raw addresses are known.
 */
struct sym_proc *sym_process(pid_t pid);

/*
 * Describe @addr in @sp.  @ret_addr: @addr is a return address (every
 * frame but the innermost), so file:line is that of the call.  Fields
 * not known are NULL.
 */
void sym_lookup(struct sym_proc *sp, uint64_t addr, bool ret_addr,
		struct sym_frame *f);

/* @pid exec'd: its mappings are not the ones cached. */
void sym_forget(pid_t pid);

#endif
