// SPDX-License-Identifier: GPL-2.0-only
/*
 * fork() in a threaded program: the child has only the forking thread,
 * so a runtime lock another thread held at that moment would stay held
 * for good.  Around fork the runtime takes all its global locks (in the
 * order they nest: each module registers its own at init, in that order)
 * and every sync object's (sync.c), then the allocator's (rtmem.c), and
 * releases them on both sides.
 */
#include <pthread.h>

#include "fork.h"
#include "sync.h"

#define MAX_LOCKS 96

static spin_t *locks[MAX_LOCKS];
static int nlocks;

void fork_guard(spin_t *l)
{
	if (nlocks == MAX_LOCKS)
		rt_fatal("fork_guard: more than %d runtime locks", MAX_LOCKS);
	locks[nlocks++] = l;
}

static void before_fork(void)
{
	for (int i = 0; i < nlocks; i++)
		spin_lock(locks[i]);
	sync_fork_lock();
	rt_mem_fork_lock();	/* innermost: taken under every other */
}

static void after_fork(void)
{
	rt_mem_fork_unlock();
	sync_fork_unlock();
	for (int i = nlocks - 1; i >= 0; i--)
		spin_unlock(locks[i]);
}

void fork_init(void)
{
	pthread_atfork(before_fork, after_fork, after_fork);
}
