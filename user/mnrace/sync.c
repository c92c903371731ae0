// SPDX-License-Identifier: GPL-2.0-only
/* Synchronisation objects by address (sync.h). */
#include "sync.h"

#define BUCKETS	(1u << 16)

struct bucket {
	spin_t lock;
	struct sync *head;
};

static struct bucket *table;

void sync_init(void)
{
	table = rt_mmap(BUCKETS * sizeof(*table));
}

static struct bucket *bucket_of(uintptr_t addr)
{
	return &table[(addr >> 3 ^ addr >> 19) % BUCKETS];
}

struct sync *sync_lock(uintptr_t addr)
{
	struct bucket *b = bucket_of(addr);
	struct sync *s;

	spin_lock(&b->lock);
	for (s = b->head; s; s = s->next)
		if (s->addr == addr)
			break;
	if (!s) {
		s = rt_alloc(sizeof(*s));
		s->addr = addr;
		s->next = b->head;
		b->head = s;
	}
	/* Bucket lock first, then the object's: the same order everywhere. */
	spin_lock(&s->lock);
	spin_unlock(&b->lock);
	return s;
}

void sync_forget(uintptr_t addr)
{
	struct bucket *b = bucket_of(addr);
	struct sync **pp, *s = NULL;

	spin_lock(&b->lock);
	for (pp = &b->head; *pp; pp = &(*pp)->next)
		if ((*pp)->addr == addr) {
			s = *pp;
			*pp = s->next;
			break;
		}
	if (s) {
		/* Wait out anyone who found it before it left the table. */
		spin_lock(&s->lock);
		spin_unlock(&s->lock);
	}
	spin_unlock(&b->lock);
	if (s) {
		vc_free(&s->clock);
		vc_free(&s->rclock);
		rt_free(s);
	}
}

void sync_fork_lock(void)
{
	for (unsigned i = 0; i < BUCKETS; i++) {
		spin_lock(&table[i].lock);
		for (struct sync *s = table[i].head; s; s = s->next)
			spin_lock(&s->lock);
	}
}

void sync_fork_unlock(void)
{
	for (unsigned i = BUCKETS; i-- > 0;) {
		for (struct sync *s = table[i].head; s; s = s->next)
			spin_unlock(&s->lock);
		spin_unlock(&table[i].lock);
	}
}

void sync_acquire(struct task *t, uintptr_t addr)
{
	struct sync *s = sync_lock(addr);

	task_acquire(t, &s->clock);
	sync_unlock(s);
}

void sync_release(struct task *t, uintptr_t addr)
{
	struct sync *s = sync_lock(addr);

	task_release(t, &s->clock);
	sync_unlock(s);
}
