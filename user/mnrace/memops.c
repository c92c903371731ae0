// SPDX-License-Identifier: GPL-2.0-only
/*
 * __tsan_memcpy/memmove/memset: the pass replaces the operation with the
 * call, so the runtime checks the ranges and then does the work.
 */
#include <string.h>

#include "access.h"

MNR_EXPORT __attribute__((noinline)) void *__tsan_memcpy(void *d, const void *s, unsigned long n)
{
	struct task *t = task_cur();

	access_range(t, (uintptr_t)s, n, false, MNR_PC());
	access_range(t, (uintptr_t)d, n, true, MNR_PC());
	return memcpy(d, s, n);
}

MNR_EXPORT __attribute__((noinline)) void *__tsan_memmove(void *d, const void *s, unsigned long n)
{
	struct task *t = task_cur();

	access_range(t, (uintptr_t)s, n, false, MNR_PC());
	access_range(t, (uintptr_t)d, n, true, MNR_PC());
	return memmove(d, s, n);
}

MNR_EXPORT __attribute__((noinline)) void *__tsan_memset(void *d, int c, unsigned long n)
{
	access_range(task_cur(), (uintptr_t)d, n, true, MNR_PC());
	return memset(d, c, n);
}
