/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Synchronisation objects: a clock per address that tasks release into
 * and acquire from (a mutex, an atomic variable, a barrier, an address
 * given to mnrace_release).  Kept in a hash table by address; an object
 * lives until its destroy (pthread_*_destroy) or the end of the program.
 */
#ifndef MNRACE_SYNC_H
#define MNRACE_SYNC_H

#include <stdint.h>

#include "rt.h"
#include "task.h"
#include "vclock.h"

struct sync {
	uintptr_t addr;
	struct sync *next;
	spin_t lock;		/* held around every use of the clocks */
	struct vclock clock;	/* releases (write unlocks, posts, stores) */
	struct vclock rclock;	/* read unlocks of an rwlock */
	uint32_t writer;	/* rwlock: task holding it for writing, 0: none */
};

/* The object at @addr, created empty if there is none; returned locked. */
struct sync *sync_lock(uintptr_t addr);
static inline void sync_unlock(struct sync *s)
{
	spin_unlock(&s->lock);
}
/* Forget the object at @addr (destroyed; its clock must not leak into a
 * new object at the same address). */
void sync_forget(uintptr_t addr);

/* One-call forms for the common edges. */
void sync_acquire(struct task *t, uintptr_t addr);
void sync_release(struct task *t, uintptr_t addr);

void sync_init(void);
/* Every bucket's and object's lock, taken and released around fork. */
void sync_fork_lock(void);
void sync_fork_unlock(void);

#endif
