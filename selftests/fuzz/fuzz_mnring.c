// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the report ring reader (user/nstaint/source/
 * mnring_reader.c, mnring_attach and mnring_poll) on a ring that the
 * reporting process controls.  Input: the header (struct mn_ring_hdr),
 * then the record slots of a ring of FUZZ_NREC records; what the input
 * does not cover is zero.  Every record handed on must pass the checks
 * again as handed (terminated strings, counts in range), and the reader's
 * counts must add up to what it took off the ring.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <nstaint/mn_ring.h>
#include "source/mnring_reader.h"
#include "fuzz.h"

#define FUZZ_NREC	16
#define FUZZ_PID	4242	/* the writer's pid the seeds use */

static void handed(void *ctx, const struct mn_ring_rec *rec)
{
	struct mn_ring_rec again = *rec;
	unsigned long long *n = ctx;

	if (mnring_check(&again, FUZZ_PID) || memcmp(&again, rec, sizeof(again)))
		abort();	/* handed on unchecked, or not made safe */
	(*n)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t img = MN_RING_HDR_SIZE + FUZZ_NREC * sizeof(struct mn_ring_rec);
	size_t h = size < sizeof(struct mn_ring_hdr) ? size : sizeof(struct mn_ring_hdr);
	unsigned long long n = 0, taken = 0;
	struct mnring_reader r;
	char why[128];
	uint8_t *buf;
	int got;

	buf = calloc(1, img);
	if (!buf)
		return 0;
	memcpy(buf, data, h);
	if (size > h)
		memcpy(buf + MN_RING_HDR_SIZE, data + h,
		       size - h < img - MN_RING_HDR_SIZE ? size - h : img - MN_RING_HDR_SIZE);
	if (!mnring_attach(&r, buf, img, FUZZ_PID, false, why, sizeof(why))) {
		/* More polls than slots: a reader must stop, not spin. */
		for (int i = 0; i < 2 * FUZZ_NREC; i++) {
			got = mnring_poll(&r, handed, &n, 4);
			if (got <= 0)
				break;
			taken += got;
		}
		if (n != r.st.delivered || r.st.delivered + r.st.invalid != taken ||
		    taken > 2 * FUZZ_NREC)
			abort();
		mnring_close(&r);
	}
	free(buf);
	return 0;
}
