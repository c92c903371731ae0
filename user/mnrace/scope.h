/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An interceptor's own frame in report stacks, as TSan's
 * SCOPED_INTERCEPTOR makes one.  While the interceptor checks what it
 * does, its caller's return address is on the task's shadow call stack
 * (frame #1, and an EV_ENTRY in the history, so a restored earlier stack
 * has it too) and its accesses are made at the interceptor's own pc: its
 * address + 1.  Every pc of a stack is a return address looked up one
 * byte back (docs/abi.md "Stacks"): this one is looked up at the
 * function's first byte, which symbolizes to the interceptor's name
 * (free, pthread_mutex_lock, __tsan_memcpy, operator delete(void*)).
 */
#ifndef MNRACE_SCOPE_H
#define MNRACE_SCOPE_H

#include "trace.h"

/* Enter @fn's frame, called from @caller; the pc of @fn's accesses. */
static inline uintptr_t scope_enter(struct task *t, uintptr_t caller, const void *fn)
{
	if (likely(t->depth < STACK_MAX))
		t->stk[t->depth] = caller;
	t->depth++;
	trace_word(t, EV_ENTRY, caller);
	return (uintptr_t)fn + 1;
}

static inline void scope_exit(struct task *t)
{
	if (likely(t->depth))
		t->depth--;
	trace_word(t, EV_EXIT, 0);
}

#endif
