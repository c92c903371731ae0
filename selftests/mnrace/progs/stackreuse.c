// SPDX-License-Identifier: GPL-2.0-only
/* glibc gives an ended detached thread's stack to the next thread: the
 * second thread writes where the first one wrote, with no edge between
 * them, and that is no race (the shadow of a new task's stack is reset).
 * The first thread's end is learnt from the kernel (its /proc task entry
 * goes away), not through anything mnrace sees.  A helper thread ends
 * first, so the second thread takes the helper's slot, not the first
 * thread's (a slot's next owner would not race with it anyway).  Exit
 * status 3: the stack was not reused, so the run proved nothing. */
#include <dirent.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "racetest.h"

static _Atomic(uintptr_t) where;
static atomic_int tid, go;

__attribute__((noinline)) static void scribble(volatile char *b, int n)
{
	for (int i = 0; i < n; i++)
		b[i] = (char)i;
}

static void *child(void *arg)
{
	char buf[256];

	scribble(buf, sizeof(buf));
	atomic_store_explicit(&where, (uintptr_t)buf, memory_order_relaxed);
	atomic_store_explicit(&tid, (int)syscall(SYS_gettid), memory_order_relaxed);
	while (!atomic_load_explicit(&go, memory_order_relaxed))
		;
	return NULL;
}

static void *helper(void *arg)
{
	return NULL;
}

static void start_detached(void)
{
	pthread_attr_t a;
	pthread_t t;

	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &a, child, NULL))
		exit(2);
	pthread_attr_destroy(&a);
}

static void wait_gone(int id)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d", id);
	while (!access(path, F_OK))
		sched_yield();
}

int main(int argc, char **argv)
{
	uintptr_t first;

	racetest_init(argc, argv, 1);
	start_detached();
	while (!atomic_load_explicit(&tid, memory_order_relaxed))
		;
	first = atomic_load_explicit(&where, memory_order_relaxed);
	pthread_join(spawn(helper, NULL), NULL);
	atomic_store_explicit(&go, 1, memory_order_relaxed);
	wait_gone(atomic_load_explicit(&tid, memory_order_relaxed));
	atomic_store_explicit(&tid, 0, memory_order_relaxed);
	start_detached();
	while (!atomic_load_explicit(&tid, memory_order_relaxed))
		;
	wait_gone(atomic_load_explicit(&tid, memory_order_relaxed));
	return atomic_load_explicit(&where, memory_order_relaxed) == first ? 0 : 3;
}
