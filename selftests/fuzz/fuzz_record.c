// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the record decoder, record_valid()
 * (user/nstaint/model/record.c, the check trace, top and the module backend
 * make), and the tracker that `top` builds from what passes it
 * (user/nstaint/model/tracker.c).  Records come from the kernel, and a libmn
 * process writes some of its own (design.md, "the shared ring").
 * Input: a stream of records, cut into sizeof(struct nstaint_event)
 * pieces; a shorter tail is not a record (the backends drop it).  After
 * each record the tracker's invariants (tracker.h) must hold.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/record.h"
#include "model/tracker.h"

static void check_table(const struct tracker *t)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct tracked_thread *th = &t->threads[i];

		/* Sorted by (pid, tid), each at most once. */
		if (i && (th[-1].pid > th->pid ||
			  (th[-1].pid == th->pid && th[-1].tid >= th->tid)))
			abort();
		if (!th->mask || th->comm[NSTAINT_COMM_LEN])
			abort();
	}
	if (t->n > t->cap)
		abort();
}

static bool odd_tid(void *ctx, __u32 pid, __u32 tid)
{
	return tid & 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tracker t = { 0 };
	struct nstaint_event *ev;
	__u64 taken = 0, counted;
	size_t off;

	/* One record's exact size, so that ASan sees a read past it. */
	ev = malloc(sizeof(*ev));
	if (!ev)
		return 0;
	for (off = 0; off + sizeof(*ev) <= size; off += sizeof(*ev)) {
		const struct tracked_thread *th;
		bool valid;

		memcpy(ev, data + off, sizeof(*ev));
		valid = record_valid(ev);
		if (tracker_update(&t, ev))
			abort();	/* -ENOMEM: not at these sizes */
		taken++;
		check_table(&t);
		th = tracker_find(&t, ev->pid, ev->tid);
		if (!valid)
			continue;
		/* What the record says of its thread is what the table says. */
		switch (ev->type) {
		case NSTAINT_EV_THREAD_RESTORED:
		case NSTAINT_EV_THREAD_EXIT:
			if (th)
				abort();
			break;
		case NSTAINT_EV_THREAD_TAINTED:
			if (ev->tainted_mask &&
			    (!th || th->mask != ev->tainted_mask ||
			     memcmp(th->ns, ev->ns_new, sizeof(th->ns))))
				abort();
			break;
		}
	}
	counted = t.bad;
	for (size_t i = 0; i < NSTAINT_EV_TYPE_COUNT; i++)
		counted += t.counts[i];
	if (counted != taken || t.counts[NSTAINT_EV_NONE])
		abort();
	tracker_prune(&t, odd_tid, NULL);
	check_table(&t);
	for (size_t i = 0; i < t.n; i++)
		if (!(t.threads[i].tid & 1))
			abort();
	if (tracker_nprocs(&t) > t.n)
		abort();
	tracker_free(&t);
	free(ev);
	return 0;
}
