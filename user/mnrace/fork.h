/* SPDX-License-Identifier: GPL-2.0-only */
/* The runtime's locks held across fork() (fork.c). */
#ifndef MNRACE_FORK_H
#define MNRACE_FORK_H

#include "rt.h"

/* Take @l around fork; call in lock order (an outer lock first). */
void fork_guard(spin_t *l);
void fork_init(void);

#endif
