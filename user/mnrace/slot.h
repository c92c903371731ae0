/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Slots: the positions in a vector clock.  A running task holds one; when
 * it ends the slot goes to the back of a queue and a later task takes it
 * over, so clocks stay as long as the slots in use, not as the number of
 * tasks ever created.  A slot's epoch only grows, across owners too: an
 * access by an earlier owner has a smaller epoch than anything the next
 * owner does, so other tasks' clocks stay right.  A slot whose epoch
 * nears 2^32 is retired, never handed out again.
 *
 * Slots are few (SLOT_FRESH, as TSan's 256): when none is free, the slot
 * of a libmn task that is not running (blocked, runnable, parked) is
 * taken from it (TSan v3's preemption), and that task takes another when
 * it runs again (task_reattach).  So a million tasks alive at once still
 * share clocks of SLOT_FRESH entries.  Only when every slot is held by a
 * running task (more threads than SLOT_FRESH) does a new one come in.
 *
 * The slot, not the task, owns the history (trace.h): an access in a
 * cell names a slot and an epoch, and its stack must still be found after
 * the task that made it ended or moved on.
 */
#ifndef MNRACE_SLOT_H
#define MNRACE_SLOT_H

#include <stdint.h>

#define SLOT_MAX	0xffff	/* slots 0..SLOT_MAX-1; 0xffff is CELL_IGNORE's */
#define SLOT_FRESH	256	/* slots in use before any is reused */

struct trace;
struct task;

struct slot {
	uint32_t epoch;		/* last epoch of its last owner, published */
	struct task *task;	/* owner now, NULL: free */
	struct trace *trace;	/* allocated on first use, kept */
};

extern struct slot *mnr_slots;
/* Set (never cleared) when a slot was first wanted with none free and
 * SLOT_FRESH taken: from then on libmn tasks say when they are idle. */
extern int mnr_slots_scarce;

/*
 * Give @t a slot and its first epoch there (t->slot, t->epoch, the
 * clock's own entry are the caller's to set from the return value and
 * mnr_slots[].epoch); t->hold becomes SLOT_RUNNING.
 */
uint32_t slot_take(struct task *t);
/* @t ended: its slot goes back, unless it was taken from it. */
void slot_put(struct task *t);
void slot_init(void);

#endif
