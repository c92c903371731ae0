/* SPDX-License-Identifier: GPL-2.0-only */
/* Bringing the runtime up once (init.c). */
#ifndef MNRACE_INIT_H
#define MNRACE_INIT_H

#include <stdbool.h>

extern int mnr_state;	/* 0 down, 1 coming up, 2 up */

static inline bool mnr_ready(void)
{
	return __atomic_load_n(&mnr_state, __ATOMIC_ACQUIRE) == 2;
}

/* Bring the runtime up if nobody has started to (malloc before the
 * constructors); a call made while it comes up returns at once. */
void mnr_init_early(void);

#endif
