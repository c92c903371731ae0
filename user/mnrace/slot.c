// SPDX-License-Identifier: GPL-2.0-only
/*
 * Slot allocation (slot.h).  A new owner does not race with its
 * predecessor's accesses (docs/mnrace.md, limits), so slots are not
 * reused while fewer than SLOT_FRESH have ever been taken (as TSan's 256
 * slots): a thread that starts after another one ended still races with
 * it.  Past that, freed slots are reused oldest first: the longer a slot
 * rests, the more of its earlier owner's accesses have been overwritten
 * in the shadow by the time a new owner takes it.
 */
#include "fork.h"
#include "rt.h"
#include "slot.h"

#define EPOCH_RETIRE	0xf0000000u
#define SLOT_FRESH	256

struct slot *mnr_slots;
static uint32_t queue[SLOT_MAX];	/* ring of free slots */
static uint32_t q_head, q_len, next_fresh;
static spin_t lock;

void slot_init(void)
{
	mnr_slots = rt_mmap(SLOT_MAX * sizeof(*mnr_slots));
	fork_guard(&lock);
}

uint32_t slot_take(uint32_t task_id)
{
	uint32_t s;

	spin_lock(&lock);
	for (;;) {
		if (q_len && next_fresh >= SLOT_FRESH) {
			s = queue[q_head];
			q_head = (q_head + 1) % SLOT_MAX;
			q_len--;
		} else if (next_fresh < SLOT_MAX) {
			s = next_fresh++;
		} else {
			spin_unlock(&lock);
			rt_fatal("more than %u tasks alive at once", SLOT_MAX);
		}
		if (mnr_slots[s].epoch < EPOCH_RETIRE)
			break;
	}
	mnr_slots[s].owner = task_id;
	mnr_slots[s].epoch++;
	spin_unlock(&lock);
	return s;
}

void slot_put(uint32_t s)
{
	spin_lock(&lock);
	mnr_slots[s].owner = 0;
	queue[(q_head + q_len) % SLOT_MAX] = s;
	q_len++;
	spin_unlock(&lock);
}
