// SPDX-License-Identifier: GPL-2.0-only
/*
 * Seeds for the mnring fuzz target: rings made and written by the writer
 * (user/common/mnring.c), one record of each kind and a full ring, dumped
 * as the target reads its input: the header, then the record slots.
 * Usage: seed_ring DIR.
 */
#include <stdio.h>
#include <string.h>

#include "common/mnring.h"

#define PID	4242	/* fuzz_mnring.c's */

static int dump(const struct mn_ring *r, const char *dir, const char *name)
{
	char path[512];
	FILE *f;
	int bad;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return 1;
	bad = fwrite(r->hdr, sizeof(*r->hdr), 1, f) != 1 ||
	      fwrite(r->rec, sizeof(*r->rec), r->hdr->nrec, f) != r->hdr->nrec;
	return fclose(f) || bad;
}

int main(int argc, char **argv)
{
	struct mn_ring_rec rec = { .pid = PID, .tid = PID, .task_id = 7 };
	struct mn_ring r;
	int bad = 0;

	if (argc != 2 || mn_ring_create(&r, 16))
		return 2;
	rec.kind = MN_RING_DATA_RACE;
	rec.race.cur = (struct mn_ring_access){ .addr = 0x1000, .task_id = 7, .size = 4,
		.flags = MN_RING_ACC_WRITE, .tid = PID, .depth = 2, .stack = { 0x401000, 0x401100 } };
	rec.race.prev = rec.race.cur;
	rec.race.prev.flags = 0;
	rec.race.loc_kind = MN_RING_LOC_HEAP;
	mn_ring_put(&r, &rec);
	memset(&rec.race, 0, sizeof(rec.race));
	rec.kind = MN_RING_RUNTIME_ERROR;
	rec.error.code = MN_RING_ERR_WG_NEGATIVE;
	strcpy(rec.error.msg, "sync: negative WaitGroup counter");
	mn_ring_put(&r, &rec);
	rec.kind = MN_RING_TASK_LEAK;
	memset(&rec.error, 0, sizeof(rec.error));
	strcpy(rec.leak.msg, "blocked in mn_chan_recv");
	mn_ring_put(&r, &rec);
	rec.kind = MN_RING_THREAD_RETIRED;
	memset(&rec.leak, 0, sizeof(rec.leak));
	rec.retired.thread = PID + 1;
	rec.retired.ns_mask = 1U << NSTAINT_NS_NET;
	mn_ring_put(&r, &rec);
	bad |= dump(&r, argv[1], "kinds");
	while (!mn_ring_put(&r, &rec))
		;
	bad |= dump(&r, argv[1], "full");
	mn_ring_destroy(&r);
	return bad;
}
