// SPDX-License-Identifier: GPL-2.0-only
/*
 * Synchronisation objects by address (sync.h).
 *
 * Finding an object reads its bucket's chain without the bucket's lock:
 * a mutex's lock and unlock each look its object up, and under
 * contention the bucket lock's line moved between the CPUs twice per
 * critical section (mutex_contended4: 55% of sync_lock's samples after
 * that xchg).  The chain is only written under the bucket lock, and an
 * object, once allocated, stays a struct sync for good: a forgotten one
 * goes to a free list for the next insert, never back to the allocator,
 * so a reader that still holds a pointer to it reads a sync object's
 * fields.  The reader locks what it found and checks that the object
 * still has its address (forget clears it under the object's lock);
 * otherwise, or when the chain has no such object, it looks again under
 * the bucket lock, which inserts.
 */
#include "sync.h"

#define BUCKETS	(1u << 16)

struct bucket {
	spin_t lock;
	struct sync *head;
};

static struct bucket *table;
/* Forgotten objects (linked by next), for reuse; under free_lock. */
static spin_t free_lock;
static struct sync *free_list;

void sync_init(void)
{
	table = rt_mmap(BUCKETS * sizeof(*table));
}

static struct bucket *bucket_of(uintptr_t addr)
{
	return &table[(addr >> 3 ^ addr >> 19) % BUCKETS];
}

static struct sync *chain_find(struct bucket *b, uintptr_t addr)
{
	struct sync *s;

	for (s = __atomic_load_n(&b->head, __ATOMIC_ACQUIRE); s;
	     s = __atomic_load_n(&s->next, __ATOMIC_ACQUIRE))
		if (__atomic_load_n(&s->addr, __ATOMIC_RELAXED) == addr)
			break;
	return s;
}

/* An empty object for @addr, not yet in a chain: a forgotten one, or a
 * new one (rt_alloc zeroes). */
static struct sync *sync_new(uintptr_t addr)
{
	struct sync *s;

	spin_lock(&free_lock);
	s = free_list;
	if (s)
		free_list = s->next;
	spin_unlock(&free_lock);
	if (!s)
		s = rt_alloc(sizeof(*s));
	/* A late reader of a chain it was in may lock it: set its address
	 * under its lock, after the rest (forget emptied the clocks). */
	spin_lock(&s->lock);
	s->writer = 0;
	__atomic_store_n(&s->addr, addr, __ATOMIC_RELAXED);
	spin_unlock(&s->lock);
	return s;
}

struct sync *sync_lock(uintptr_t addr)
{
	struct bucket *b = bucket_of(addr);
	struct sync *s = chain_find(b, addr);

	if (likely(s)) {
		spin_lock(&s->lock);
		if (likely(__atomic_load_n(&s->addr, __ATOMIC_RELAXED) == addr))
			return s;
		spin_unlock(&s->lock);	/* forgotten meanwhile */
	}
	spin_lock(&b->lock);
	s = chain_find(b, addr);
	if (!s) {
		s = sync_new(addr);
		__atomic_store_n(&s->next, b->head, __ATOMIC_RELAXED);
		__atomic_store_n(&b->head, s, __ATOMIC_RELEASE);
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
			__atomic_store_n(pp, s->next, __ATOMIC_RELEASE);
			break;
		}
	if (s) {
		/* Wait out anyone who locked it first; later ones find
		 * its address gone. */
		spin_lock(&s->lock);
		__atomic_store_n(&s->addr, 0, __ATOMIC_RELAXED);
		vc_free(&s->clock);
		vc_free(&s->rclock);
		spin_unlock(&s->lock);
	}
	spin_unlock(&b->lock);
	if (s) {
		spin_lock(&free_lock);
		__atomic_store_n(&s->next, free_list, __ATOMIC_RELAXED);
		free_list = s;
		spin_unlock(&free_lock);
	}
}

/* Every lock a thread may hold here, so that the child of fork finds
 * none held: the buckets', the objects' (in chains and free: a late
 * reader may lock a free one) and the free list's. */
void sync_fork_lock(void)
{
	for (unsigned i = 0; i < BUCKETS; i++) {
		spin_lock(&table[i].lock);
		for (struct sync *s = table[i].head; s; s = s->next)
			spin_lock(&s->lock);
	}
	spin_lock(&free_lock);
	for (struct sync *s = free_list; s; s = s->next)
		spin_lock(&s->lock);
}

void sync_fork_unlock(void)
{
	for (struct sync *s = free_list; s; s = s->next)
		spin_unlock(&s->lock);
	spin_unlock(&free_lock);
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
