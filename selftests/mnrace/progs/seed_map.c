// SPDX-License-Identifier: GPL-2.0-only
/* Seed pattern: concurrent writes to a hash table (Go's map); the fixed
 * variant serialises the inserts with a mutex. */
#include "mntest.h"

#define NB 8

struct ent {
	int key, val;
	struct ent *next;
};

static struct {
	struct ent *b[NB];
	int n;
} table;
static struct ent ents[2];
static mn_mutex mu;

static void put(struct ent *e, int key)
{
	if (!racy)
		mn_mutex_lock(&mu);
	e->key = key;
	e->next = table.b[key % NB];
	table.b[key % NB] = e;
	table.n++; // mark:first
	if (!racy)
		mn_mutex_unlock(&mu);
}

static void writer(void *arg)
{
	put(&ents[0], 1);
	step();
}

static int test_main(void *arg)
{
	mn_go(writer, NULL);
	step();
	put(&ents[1], 2);	/* another bucket: only the count is shared */
	return table.n != 2;
}

MNTEST_MAIN(2)
