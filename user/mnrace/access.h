/* SPDX-License-Identifier: GPL-2.0-only */
/* Checking an access against the shadow and recording it (access.c). */
#ifndef MNRACE_ACCESS_H
#define MNRACE_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "task.h"

/* An access of up to 16 bytes at any alignment, made at @pc. */
void access_small(struct task *t, uintptr_t a, uint32_t n, bool is_write,
		  bool is_atomic, uintptr_t pc);
/* Every byte of [a, a + n) (memcpy, memset, pthread objects). */
void access_range(struct task *t, uintptr_t a, size_t n, bool is_write,
		  uintptr_t pc);
/*
 * The heap block [a, a + n) is now written by @t and nothing else
 * (malloc; free, with @freed): no check, every word gets one write cell
 * of @t.  Only for a block's own granules: the bytes past its end in its
 * last word lose their cells.
 */
void access_mark_written(struct task *t, uintptr_t a, size_t n, uintptr_t pc,
			 bool freed);
/* Never check [a, a + n) again until it is reset (mnrace_ignore_range). */
void access_ignore(uintptr_t a, size_t n);

#endif
