// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the libmn registry reader (user/nstaint/attr/mnattr.c,
 * mnattr_registry_read) on a process's memory that the process controls.
 * Input: the memory at the registry's address (struct mn_abi_registry,
 * as much of threads[] as the input holds); reads past its end fail as
 * /proc/PID/mem fails on an unmapped page.  Every slot handed on must
 * come from an entry inside the input with a non-zero slot address and a
 * tid of the process, and their count must be the return value.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <nstaint/mn_abi.h>
#include "attr/mnattr.h"
#include "fuzz.h"

#define REGISTRY	0x7f0000001000ULL	/* any address will do */

struct image {
	const uint8_t *buf;
	size_t size;
};

static int image_read(void *ctx, __u64 addr, void *out, size_t len)
{
	const struct image *im = ctx;

	if (addr < REGISTRY || addr - REGISTRY > im->size ||
	    len > im->size - (addr - REGISTRY))
		return -EIO;
	memcpy(out, im->buf + (addr - REGISTRY), len);
	return 0;
}

/* The process's threads: the even tids but 0 (an arbitrary half, so that
 * inputs list both its threads and others': 1 is init's). */
static bool image_has_thread(void *ctx, __u32 tid)
{
	return tid && !(tid % 2);
}

struct seen {
	const struct image *im;
	int n;
};

static void on_slot(void *ctx, __u32 tid, __u64 slot_addr)
{
	const size_t hsz = offsetof(struct mn_abi_registry, threads);
	struct seen *s = ctx;
	struct mn_abi_thread th;
	size_t at = hsz + s->n * sizeof(th);
	bool found = false;

	/*
	 * Only the process's own threads: BPF keys slots by tid, so another
	 * process's thread would have its tasks read from a wrong slot (its
	 * goroutines unnamed, or named by the liar).
	 */
	if (!slot_addr || !image_has_thread(NULL, tid))
		abort();
	/* Some entry of the input, at or after the previous one, says so. */
	for (; at + sizeof(th) <= s->im->size; at += sizeof(th)) {
		memcpy(&th, s->im->buf + at, sizeof(th));
		if (th.tid == tid && th.slot_addr == slot_addr) {
			found = true;
			break;
		}
	}
	if (!found)
		abort();
	s->n++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct image im = { .size = size };
	struct mn_mem mem = {
		.read = image_read, .has_thread = image_has_thread, .ctx = &im,
	};
	struct seen s = { .im = &im };
	uint8_t *buf;
	int n;

	buf = fuzz_copy(data, size);
	if (!buf)
		return 0;
	im.buf = buf;
	n = mnattr_registry_read(&mem, REGISTRY, on_slot, &s);
	if (n >= 0 ? n != s.n || n > MN_ABI_MAX_THREADS : s.n)
		abort();
	free(buf);
	return 0;
}
