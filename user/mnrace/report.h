/* SPDX-License-Identifier: GPL-2.0-only */
/* Race reports in ThreadSanitizer's format (report.c). */
#ifndef MNRACE_REPORT_H
#define MNRACE_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "task.h"

/*
 * Task @t's access [a, a + n) at @pc races with the access in cell @old
 * of the word at @word.
 */
void report_race(struct task *t, uintptr_t a, uint32_t n, bool is_write,
		 bool is_atomic, uintptr_t pc, uintptr_t word, uint64_t old);

void report_init(void);

/* How many reports were printed (the exit status depends on it). */
unsigned report_count(void);

/* Print "mnrace: <text>" where reports go (log_path). */
__attribute__((format(printf, 1, 2)))
void report_note(const char *fmt, ...);

#endif
