/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which code is instrumented: the main executable's (mnrace-cc built and
 * linked it).  Shared libraries are taken as uninstrumented (libc,
 * ld.so); their memory accesses are invisible, and so, consistently, is
 * the write that free() makes when they call it: glibc frees what it
 * handed between threads under its own locks (a thread's DTV, its stack
 * cache), which mnrace cannot see.
 */
#ifndef MNRACE_INSTR_H
#define MNRACE_INSTR_H

#include <stdbool.h>
#include <stdint.h>

bool pc_instrumented(uintptr_t pc);
void instr_init(void);

#endif
