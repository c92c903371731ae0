// SPDX-License-Identifier: GPL-2.0-only
/*
 * Seed for the mnattr fuzz target: the real mn_nstaint_registry of a
 * libmn program (linked with build/libmn.a), written to argv[1] as a
 * reader finds it in /proc/PID/mem: the header and threads[0, nr_used).
 * Taken from a task while tasks run on several threads, with generation
 * even (no entry being changed).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <mn.h>
#include <nstaint/mn_abi.h>

extern struct mn_abi_registry mn_nstaint_registry;

static const char *out;

static void spin(void *arg)
{
	mn_sleep(20 * 1000 * 1000);
}

static int dump(void *arg)
{
	const struct mn_abi_registry *r = &mn_nstaint_registry;
	size_t len;
	__u64 gen;
	FILE *f;

	/* A locked task takes a thread of its own: more entries. */
	for (int i = 0; i < 4; i++)
		mn_go(spin, NULL);
	mn_lock_thread();
	do {
		mn_yield();
		gen = __atomic_load_n(&r->generation, __ATOMIC_ACQUIRE);
	} while (gen & 1);
	len = offsetof(struct mn_abi_registry, threads) +
	      r->nr_used * sizeof(r->threads[0]);
	f = fopen(out, "wb");
	if (!f || fwrite(r, 1, len, f) != len || fclose(f)) {
		perror(out);
		exit(1);
	}
	mn_unlock_thread();
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s FILE\n", argv[0]);
		return 2;
	}
	out = argv[1];
	return mn_main(dump, NULL);
}
