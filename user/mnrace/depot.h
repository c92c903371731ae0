/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The stack depot: every distinct stack (allocation, task creation) kept
 * once, named by a 32-bit id, so a heap block costs 4 bytes of stack.
 */
#ifndef MNRACE_DEPOT_H
#define MNRACE_DEPOT_H

#include <stdint.h>

/* The id of @pcs[0..n) (innermost first); 0 only for n == 0. */
uint32_t depot_put(const uintptr_t *pcs, uint32_t n);
/* The frames of @id, *pcs valid forever; 0 frames for an unknown id. */
uint32_t depot_get(uint32_t id, const uintptr_t **pcs);
void depot_init(void);

#endif
