// SPDX-License-Identifier: GPL-2.0-only
/*
 * Seeds for the record fuzz target: streams of records as the backends
 * deliver them, one file per story, written to directory argv[1]:
 * a thread tainted, a task seen on it, restored; a clone from a tainted
 * thread, a lost record, an exit; a record of another ABI version.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nstaint/events.h>

static struct nstaint_event rec(__u16 type, __u32 pid, __u32 tid, bool net)
{
	struct nstaint_event e = {
		.version = NSTAINT_ABI_VERSION,
		.type = type,
		.size = sizeof(e),
		.cause = NSTAINT_CAUSE_SETNS,
		.ts_ns = 1000000000ULL * tid,
		.pid = pid,
		.tid = tid,
		.comm = "worker",
		.syscall_nr = 308,	/* setns */
	};

	for (int i = 0; i < NSTAINT_NS_COUNT; i++)
		e.ns_old[i] = e.ns_new[i] = e.ns_home[i] = 4026531835U + i;
	if (net) {
		e.ns_new[NSTAINT_NS_NET] = 4026532100U;
		e.tainted_mask = e.changed_mask =
			NSTAINT_NS_BIT(NSTAINT_NS_NET);
	}
	return e;
}

static void story(const char *dir, const char *name,
		  const struct nstaint_event *ev, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(ev, sizeof(*ev), n, f) != n || fclose(f)) {
		perror(path);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	struct nstaint_event ev[8];

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	ev[0] = rec(NSTAINT_EV_NS_CHANGE, 100, 101, true);
	ev[1] = rec(NSTAINT_EV_THREAD_TAINTED, 100, 101, true);
	ev[1].owner_kind = NSTAINT_TASK_GO;
	ev[1].owner_id = 7;
	ev[2] = rec(NSTAINT_EV_TASK_ON_TAINTED_THREAD, 100, 101, true);
	ev[2].task_kind = NSTAINT_TASK_GO;
	ev[2].task_id = 1;
	ev[2].count = 3;
	ev[2].cause = NSTAINT_CAUSE_SYSCALL;
	ev[2].stack_depth = 2;
	ev[2].ustack[0] = 0x401000;
	ev[2].ustack[1] = 0x402000;
	ev[3] = rec(NSTAINT_EV_THREAD_RESTORED, 100, 101, false);
	story(argv[1], "taint-task-restore", ev, 4);

	ev[0] = rec(NSTAINT_EV_THREAD_TAINTED, 200, 203, true);
	ev[1] = rec(NSTAINT_EV_CLONE_FROM_TAINTED, 200, 204, true);
	ev[1].cause = NSTAINT_CAUSE_CLONE;
	ev[1].parent_tid = 203;
	ev[1].clone_flags = 0x3d0f00;
	ev[2] = rec(NSTAINT_EV_CLONE_FROM_TAINTED, 205, 205, true);
	ev[2].flags = NSTAINT_F_NEW_PROCESS;
	ev[3] = rec(NSTAINT_EV_LOST, 0, 0, false);
	ev[3].count = 12;
	ev[3].lost_reason = NSTAINT_LOST_RINGBUF;
	ev[4] = rec(NSTAINT_EV_THREAD_EXIT, 200, 204, true);
	ev[4].cause = NSTAINT_CAUSE_EXIT;
	ev[5] = rec(NSTAINT_EV_TASK_ON_TAINTED_THREAD, 200, 203, true);
	ev[5].task_kind = NSTAINT_TASK_LIBMN;
	ev[5].task_id = 42;
	ev[5].flags = NSTAINT_F_TASK_LOCKED;
	story(argv[1], "clone-lost-exit", ev, 6);

	ev[0] = rec(NSTAINT_EV_THREAD_TAINTED, 300, 301, true);
	ev[0].version = NSTAINT_ABI_VERSION + 1;
	ev[1] = rec(NSTAINT_EV_NS_CHANGE, 300, 301, false);
	ev[1].type = NSTAINT_EV_TYPE_COUNT;
	story(argv[1], "other-abi", ev, 2);
	return 0;
}
