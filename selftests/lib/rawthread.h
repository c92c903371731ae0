/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A raw thread for the selftests: clone(2) with CLONE_THREAD and no
 * pthreads, so that the clone flags can ask for new namespaces too.  The
 * thread has no TLS of its own (it runs on its creator's): its function
 * may make system calls and nothing more of libc.
 */
#ifndef SELFTESTS_RAWTHREAD_H
#define SELFTESTS_RAWTHREAD_H

#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

struct raw_thread {
	pid_t tid;	/* the kernel zeroes it when the thread exits */
	char stack[16 * 1024] __attribute__((aligned(16)));
};

/* Run @fn(@arg) on a new thread of ours, cloned with @extra flags too
 * (CLONE_NEW*).  Its tid, or -1 with errno set. */
static inline pid_t raw_thread_start(struct raw_thread *t, int (*fn)(void *),
				     void *arg, int extra)
{
	int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
		    CLONE_THREAD | CLONE_SYSVSEM | CLONE_PARENT_SETTID |
		    CLONE_CHILD_CLEARTID | extra;

	return clone(fn, t->stack + sizeof(t->stack), flags, arg, &t->tid,
		     NULL, &t->tid);
}

/* Wait until @t's thread is gone (CLONE_CHILD_CLEARTID wakes us). */
static inline void raw_thread_join(struct raw_thread *t)
{
	pid_t tid;

	while ((tid = __atomic_load_n(&t->tid, __ATOMIC_ACQUIRE)))
		syscall(SYS_futex, &t->tid, FUTEX_WAIT, tid, NULL);
}

/* A thread function that exits at once. */
static inline int raw_thread_exit(void *arg)
{
	syscall(SYS_exit, 0);
	return 0;
}

#endif
