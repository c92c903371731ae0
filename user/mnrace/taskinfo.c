// SPDX-License-Identifier: GPL-2.0-only
/*
 * What reports know of tasks (task.h: task_info), by task id.  A record
 * lives while its task does, and after it ended for the last INFO_KEEP
 * tasks to end: a report names an ended task only through the history
 * of a slot, which holds the parts of at most SLOT_FRESH * 2^10 tasks
 * (trace.h), and far fewer at the default history_size.  So the table
 * is as large as the tasks alive at once, not as every task ever
 * created (a million in skynet); an older one is "unknown" to a report.
 */
#include <string.h>

#include "fork.h"
#include "task.h"

#define INFO_BUCKETS	(1u << 16)
#define INFO_KEEP	(1u << 14)

struct info_rec {
	struct info_rec *next;
	uint32_t id;
	bool ended;		/* in the ring of ended tasks */
	struct task_info ti;
};

static struct info_rec **buckets;
static uint32_t ended[INFO_KEEP];	/* ids, oldest at ended_head */
static uint32_t ended_head, ended_len;
static spin_t lock;

void task_info_init(void)
{
	buckets = rt_mmap(INFO_BUCKETS * sizeof(*buckets));
	fork_guard(&lock);
}

static struct info_rec **slot_of(uint32_t id)
{
	struct info_rec **pp = &buckets[id % INFO_BUCKETS];

	while (*pp && (*pp)->id != id)
		pp = &(*pp)->next;
	return pp;
}

void task_info_set(uint32_t id, const struct task_info *ti)
{
	struct info_rec **pp;

	spin_lock(&lock);
	pp = slot_of(id);
	if (!*pp) {
		*pp = rt_alloc(sizeof(**pp));
		(*pp)->id = id;
	}
	(*pp)->ti = *ti;
	spin_unlock(&lock);
}

void task_info_retire(uint32_t id)
{
	struct info_rec **pp, *r;

	spin_lock(&lock);
	pp = slot_of(id);
	if (!*pp || (*pp)->ended) {
		spin_unlock(&lock);
		return;
	}
	(*pp)->ended = true;
	(*pp)->ti.alive = false;
	if (ended_len == INFO_KEEP) {	/* forget the oldest */
		pp = slot_of(ended[ended_head]);
		r = *pp;
		*pp = r->next;
		rt_free(r);
		ended_head = (ended_head + 1) % INFO_KEEP;
		ended_len--;
	}
	ended[(ended_head + ended_len++) % INFO_KEEP] = id;
	spin_unlock(&lock);
}

bool task_info_get(uint32_t id, struct task_info *out)
{
	struct info_rec *r;

	spin_lock(&lock);
	r = *slot_of(id);
	if (r)
		*out = r->ti;
	spin_unlock(&lock);
	return r;
}

uint32_t task_owning(uintptr_t a, bool *tls)
{
	uint32_t tls_of = 0, stack_of = 0;

	spin_lock(&lock);
	for (uint32_t b = 0; b < INFO_BUCKETS && !tls_of; b++)
		for (struct info_rec *r = buckets[b]; r && !tls_of; r = r->next) {
			const struct task_info *ti = &r->ti;

			if (!ti->alive)
				continue;
			/* TLS first: glibc puts a thread's static TLS inside its stack block. */
			if (a >= ti->tls_lo && a < ti->tls_hi)
				tls_of = r->id;
			else if (!stack_of && a >= ti->stack_lo && a < ti->stack_hi)
				stack_of = r->id;
		}
	spin_unlock(&lock);
	*tls = tls_of != 0;
	return tls_of ? tls_of : stack_of;
}
