/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Slots: the positions in a vector clock.  A live task holds one; when it
 * ends the slot goes to the back of a queue and a later task takes it
 * over, so clocks stay as long as the most tasks alive at once, not as
 * the number of tasks ever created.  A slot's epoch only grows, across
 * owners too: an access by an earlier owner has a smaller epoch than
 * anything the next owner does, so other tasks' clocks stay right.  A
 * slot whose epoch nears 2^32 is retired, never handed out again.
 *
 * The slot, not the task, owns the history (trace.h): an access in a
 * cell names a slot and an epoch, and its stack must still be found after
 * the task that made it ended.
 */
#ifndef MNRACE_SLOT_H
#define MNRACE_SLOT_H

#include <stdint.h>

#define SLOT_MAX	0xffff	/* slots 0..SLOT_MAX-1; 0xffff is CELL_IGNORE's */

struct trace;

struct slot {
	uint32_t epoch;		/* last epoch used (owner's clock entry) */
	uint32_t owner;		/* task id now, 0: free */
	struct trace *trace;	/* allocated on first use, kept */
};

extern struct slot *mnr_slots;

/* Take a slot for task @task_id; its epoch is already advanced past the
 * last owner's. */
uint32_t slot_take(uint32_t task_id);
void slot_put(uint32_t slot);
void slot_init(void);

#endif
