// SPDX-License-Identifier: GPL-2.0-only
#include "sym/execlog.h"

void execlog_note(struct execlog *l, pid_t pid, __u64 ts_ns)
{
	unsigned int i = (__u32)pid % EXECLOG_SLOTS;

	/* Readers that see the old pid after the new time only err
	 * towards symbolizing; the pid is published after the time. */
	atomic_store_explicit(&l->slot[i].pid, 0, memory_order_relaxed);
	atomic_store_explicit(&l->slot[i].ts_ns, ts_ns, memory_order_release);
	atomic_store_explicit(&l->slot[i].pid, pid, memory_order_release);
}

bool execlog_since(const struct execlog *l, pid_t pid, __u64 ts_ns)
{
	unsigned int i = (__u32)pid % EXECLOG_SLOTS;
	__u32 who = atomic_load_explicit(&l->slot[i].pid, memory_order_acquire);
	__u64 when = atomic_load_explicit(&l->slot[i].ts_ns,
					  memory_order_acquire);

	return pid > 0 && who == (__u32)pid && when > ts_ns;
}
