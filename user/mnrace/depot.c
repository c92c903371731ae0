// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stack depot (depot.h): a hash table of immutable records carved from
 * large chunks.  Lookups take no lock (a record is complete before it is
 * published with a release store); inserts lock one stripe of buckets.
 */
#include <string.h>

#include "depot.h"
#include "fork.h"
#include "rt.h"

#define BUCKETS		(1u << 18)
#define STRIPES		64
#define MAX_IDS		(1u << 26)
#define CHUNK		(1u << 20)

struct rec {
	struct rec *next;
	uint32_t hash, n, id;
	uintptr_t pcs[];
};

static struct rec **buckets;
static struct rec **by_id;	/* id -> record; id 0 unused */
static uint32_t next_id = 1;
static spin_t stripe[STRIPES];
static spin_t arena_lock;
static char *arena;
static size_t arena_left;

void depot_init(void)
{
	buckets = rt_mmap(BUCKETS * sizeof(*buckets));
	by_id = rt_mmap(MAX_IDS * sizeof(*by_id));
	for (int i = 0; i < STRIPES; i++)
		fork_guard(&stripe[i]);
	fork_guard(&arena_lock);	/* taken inside a stripe */
}

static uint32_t hash_pcs(const uintptr_t *pcs, uint32_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;

	for (uint32_t i = 0; i < n; i++) {
		h ^= pcs[i];
		h *= 0xff51afd7ed558ccdULL;
		h ^= h >> 33;
	}
	return (uint32_t)h;
}

static struct rec *find(struct rec *r, uint32_t h, const uintptr_t *pcs, uint32_t n)
{
	for (; r; r = __atomic_load_n(&r->next, __ATOMIC_ACQUIRE))
		if (r->hash == h && r->n == n && !memcmp(r->pcs, pcs, n * sizeof(*pcs)))
			return r;
	return NULL;
}

static struct rec *carve(size_t sz)
{
	void *p;

	spin_lock(&arena_lock);
	sz = (sz + 15) & ~(size_t)15;
	if (sz > arena_left) {
		arena = rt_mmap(CHUNK);
		arena_left = CHUNK;
	}
	p = arena;
	arena += sz;
	arena_left -= sz;
	spin_unlock(&arena_lock);
	return p;
}

uint32_t depot_put(const uintptr_t *pcs, uint32_t n)
{
	uint32_t h, b;
	struct rec *r;

	if (!n)
		return 0;
	h = hash_pcs(pcs, n);
	b = h % BUCKETS;
	r = find(__atomic_load_n(&buckets[b], __ATOMIC_ACQUIRE), h, pcs, n);
	if (r)
		return r->id;
	spin_lock(&stripe[b % STRIPES]);
	r = find(buckets[b], h, pcs, n);
	if (!r) {
		r = carve(sizeof(*r) + n * sizeof(*pcs));
		r->hash = h;
		r->n = n;
		memcpy(r->pcs, pcs, n * sizeof(*pcs));
		r->id = __atomic_fetch_add(&next_id, 1, __ATOMIC_RELAXED);
		if (r->id >= MAX_IDS)
			rt_fatal("stack depot full (%u stacks)", MAX_IDS);
		__atomic_store_n(&by_id[r->id], r, __ATOMIC_RELEASE);
		r->next = buckets[b];
		__atomic_store_n(&buckets[b], r, __ATOMIC_RELEASE);
	}
	spin_unlock(&stripe[b % STRIPES]);
	return r->id;
}

uint32_t depot_get(uint32_t id, const uintptr_t **pcs)
{
	struct rec *r = id && id < MAX_IDS ?
			__atomic_load_n(&by_id[id], __ATOMIC_ACQUIRE) : NULL;

	if (!r)
		return 0;
	*pcs = r->pcs;
	return r->n;
}
