// SPDX-License-Identifier: GPL-2.0-only
/*
 * What clang's ThreadSanitizer pass calls for plain accesses and calls:
 * __tsan_{read,write}{1,2,4,8,16}, the unaligned variants, the range
 * forms, vptr updates, and __tsan_func_entry/exit, which keep the
 * current task's shadow call stack.  The pass passes no pc: the return
 * address into the instrumented code is the access's pc.  Outside a
 * sampled window (sample.h) an access costs the test of sample_now and
 * returns; a function entry or exit always moves the shadow stack (the
 * stacks of later reports), and an entry counts as an event of the
 * sampling clock.
 */
#include "access.h"
#include "sample.h"
#include "trace.h"

/* Everything but an access already recorded by a running task: a tail
 * call, so the common case saves no register and makes no frame. */
static __attribute__((noinline)) void access_miss(void *a, uint32_t size, bool is_write,
						  uintptr_t pc)
{
	access_small_missed(task_cur(), (uintptr_t)a, size, is_write, pc);
}

/*
 * The entry point tests sample_now and returns, checks whether the
 * access is already recorded and returns, or jumps (a tail call: the
 * return address is still the instrumented code's, MNR_PC) to the slow
 * path.  One function: an entry point that tested sample_now and jumped
 * to a second one with the check cost private_array 4-6% more
 * (task-clock, perf stat -r 3, twice each) for its extra jump; off a
 * sampled window the return is now a taken branch instead.  The entry
 * points start a cache line: with the same instructions, private_array
 * ran 2.2x plain or 1.8x depending on where the linker happened to put
 * them (the front end caches decoded code by address, and the program's
 * own loop competes for the same places), so an unrelated change
 * elsewhere in the runtime swung it by a fifth.  Aligned, their place no
 * longer follows the rest of the runtime's code; the program's code can
 * still collide with them.
 */
#define ACCESS_FN(name, size, is_write)					\
	MNR_EXPORT __attribute__((noinline, aligned(64))) void name(void *a)	\
	{								\
		struct task *t;						\
									\
		if (unlikely(!sample_now()))				\
			return;						\
		t = mnr_cur;						\
		if (likely(t) &&					\
		    likely(access_recorded(t, (uintptr_t)a, size, is_write))) \
			return;						\
		access_miss(a, size, is_write, MNR_PC());		\
	}

ACCESS_FN(__tsan_read1, 1, false)
ACCESS_FN(__tsan_read2, 2, false)
ACCESS_FN(__tsan_read4, 4, false)
ACCESS_FN(__tsan_read8, 8, false)
ACCESS_FN(__tsan_read16, 16, false)
ACCESS_FN(__tsan_write1, 1, true)
ACCESS_FN(__tsan_write2, 2, true)
ACCESS_FN(__tsan_write4, 4, true)
ACCESS_FN(__tsan_write8, 8, true)
ACCESS_FN(__tsan_write16, 16, true)
ACCESS_FN(__tsan_unaligned_read2, 2, false)
ACCESS_FN(__tsan_unaligned_read4, 4, false)
ACCESS_FN(__tsan_unaligned_read8, 8, false)
ACCESS_FN(__tsan_unaligned_read16, 16, false)
ACCESS_FN(__tsan_unaligned_write2, 2, true)
ACCESS_FN(__tsan_unaligned_write4, 4, true)
ACCESS_FN(__tsan_unaligned_write8, 8, true)
ACCESS_FN(__tsan_unaligned_write16, 16, true)

MNR_EXPORT __attribute__((noinline)) void __tsan_read_range(void *a, unsigned long n)
{
	access_range(task_cur(), (uintptr_t)a, n, false, MNR_PC());
}

MNR_EXPORT __attribute__((noinline)) void __tsan_write_range(void *a, unsigned long n)
{
	access_range(task_cur(), (uintptr_t)a, n, true, MNR_PC());
}

/* C++: storing the same vtable pointer again is not a write that races. */
MNR_EXPORT __attribute__((noinline)) void __tsan_vptr_update(void **vptr, void *val)
{
	if (*vptr != val)
		access_small(task_cur(), (uintptr_t)vptr, 8, true, false, MNR_PC());
}

MNR_EXPORT __attribute__((noinline)) void __tsan_vptr_read(void **vptr)
{
	access_small(task_cur(), (uintptr_t)vptr, 8, false, false, MNR_PC());
}

MNR_EXPORT void __tsan_func_entry(void *ret)
{
	struct task *t = task_cur();

	if (likely(t->depth < STACK_MAX))
		t->stk[t->depth] = (uintptr_t)ret;
	t->depth++;
	trace_word(t, EV_ENTRY, (uintptr_t)ret);
	sample_event();
}

MNR_EXPORT void __tsan_func_exit(void)
{
	struct task *t = task_cur();

	if (likely(t->depth))
		t->depth--;
	trace_word(t, EV_EXIT, 0);
}
