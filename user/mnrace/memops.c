// SPDX-License-Identifier: GPL-2.0-only
/*
 * __tsan_memcpy/memmove/memset: the pass replaces the operation with the
 * call, so the runtime checks the ranges and then does the work.  The
 * checks are made in the function's own frame (scope.h): a report's
 * frame #0 is __tsan_memcpy, as TSan's are.
 */
#include <string.h>

#include "access.h"
#include "scope.h"

MNR_EXPORT __attribute__((noinline)) void *__tsan_memcpy(void *d, const void *s, unsigned long n)
{
	struct task *t = task_cur();
	uintptr_t pc = scope_enter(t, MNR_PC(), __tsan_memcpy);

	access_range(t, (uintptr_t)s, n, false, pc);
	access_range(t, (uintptr_t)d, n, true, pc);
	scope_exit(t);
	return memcpy(d, s, n);
}

MNR_EXPORT __attribute__((noinline)) void *__tsan_memmove(void *d, const void *s, unsigned long n)
{
	struct task *t = task_cur();
	uintptr_t pc = scope_enter(t, MNR_PC(), __tsan_memmove);

	access_range(t, (uintptr_t)s, n, false, pc);
	access_range(t, (uintptr_t)d, n, true, pc);
	scope_exit(t);
	return memmove(d, s, n);
}

MNR_EXPORT __attribute__((noinline)) void *__tsan_memset(void *d, int c, unsigned long n)
{
	struct task *t = task_cur();

	access_range(t, (uintptr_t)d, n, true, scope_enter(t, MNR_PC(), __tsan_memset));
	scope_exit(t);
	return memset(d, c, n);
}
