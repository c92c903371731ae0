// SPDX-License-Identifier: GPL-2.0-only
/* An unaligned 4-byte field across two 8-byte words
 * (__tsan_unaligned_write4), and a neighbour in its second word that
 * only the race-free variant's reader touches instead: the bytes are
 * tracked per word and per byte, not per word alone. */
#include "racetest.h"

struct __attribute__((packed)) rec {
	char pad[6];
	int f;		/* bytes 6..9: words 0 and 1 */
	char g;		/* byte 10 */
} r;

static void *child(void *arg)
{
	r.f = 1; // mark:first
	step();
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;

	racetest_init(argc, argv, 2);
	t = spawn(child, NULL);
	step();
	if (racy)
		printf("%d\n", r.f); // mark:second
	else
		printf("%d\n", r.g); // mark:norace
	pthread_join(t, NULL);
	return 0;
}
