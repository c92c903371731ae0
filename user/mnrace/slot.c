// SPDX-License-Identifier: GPL-2.0-only
/*
 * Slot allocation (slot.h).  A new owner does not race with its
 * predecessor's accesses (docs/mnrace.md, limits), so slots are not
 * reused while fewer than SLOT_FRESH have ever been taken: a thread that
 * starts after another one ended still races with it.  Past that, freed
 * slots are reused oldest first: the longer a slot rests, the more of its
 * earlier owner's accesses have been overwritten in the shadow by the
 * time a new owner takes it.  With no free slot, an idle libmn task's is
 * taken, round robin; a task's hold (task.h) says whether it runs, and
 * only a compare-and-swap from SLOT_IDLE takes it, so a task being
 * switched in at that moment (the same swap to SLOT_RUNNING) keeps its
 * slot or knows it lost it.
 */
#include "fork.h"
#include "rt.h"
#include "slot.h"
#include "task.h"

#define EPOCH_RETIRE	0xf0000000u

struct slot *mnr_slots;
int mnr_slots_scarce;
static uint32_t queue[SLOT_MAX];	/* ring of free slots */
static uint32_t q_head, q_len, next_fresh, cursor;
static spin_t lock;

void slot_init(void)
{
	mnr_slots = rt_mmap(SLOT_MAX * sizeof(*mnr_slots));
	fork_guard(&lock);
}

/* The slot of an idle task, taken from it; SLOT_MAX: every one runs. */
static uint32_t preempt(void)
{
	for (uint32_t n = 0; n < next_fresh; n++) {
		uint32_t s = cursor;
		struct task *v = mnr_slots[s].task;
		uint32_t idle = SLOT_IDLE;

		cursor = (cursor + 1) % next_fresh;
		if (v && __atomic_compare_exchange_n(&v->hold, &idle, SLOT_LOST, false,
						     __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
			/* Its epochs so far are in cells and clocks: go on after them. */
			mnr_slots[s].epoch = v->epoch;
			mnr_slots[s].task = NULL;
			return s;
		}
	}
	return SLOT_MAX;
}

uint32_t slot_take(struct task *t)
{
	uint32_t s;

	spin_lock(&lock);
	for (;;) {
		if (q_len && next_fresh >= SLOT_FRESH) {
			s = queue[q_head];
			q_head = (q_head + 1) % SLOT_MAX;
			q_len--;
		} else if (next_fresh < SLOT_FRESH) {
			s = next_fresh++;
		} else {
			/* Idle tasks say so from now on; until then none is. */
			__atomic_store_n(&mnr_slots_scarce, 1, __ATOMIC_RELAXED);
			s = preempt();
			if (s == SLOT_MAX && next_fresh == SLOT_MAX) {
				spin_unlock(&lock);
				rt_fatal("more than %u tasks running at once", SLOT_MAX);
			}
			if (s == SLOT_MAX)
				s = next_fresh++;
		}
		if (mnr_slots[s].epoch < EPOCH_RETIRE)
			break;
	}
	mnr_slots[s].task = t;
	mnr_slots[s].epoch++;
	__atomic_store_n(&t->hold, SLOT_RUNNING, __ATOMIC_RELAXED);
	spin_unlock(&lock);
	return s;
}

void slot_put(struct task *t)
{
	spin_lock(&lock);
	/* Under the lock: preempt() cannot take it between test and put. */
	if (__atomic_load_n(&t->hold, __ATOMIC_RELAXED) != SLOT_LOST) {
		/* Publish the last epoch: the next owner continues after it. */
		mnr_slots[t->slot].epoch = t->epoch;
		mnr_slots[t->slot].task = NULL;
		queue[(q_head + q_len) % SLOT_MAX] = t->slot;
		q_len++;
		__atomic_store_n(&t->hold, SLOT_LOST, __ATOMIC_RELAXED);
	}
	spin_unlock(&lock);
}
