// SPDX-License-Identifier: GPL-2.0-only
/*
 * Skynet under mnrace: a 10-ary tree of tasks with a million leaves, each
 * sending its number up a channel; the root prints the sum and the peak
 * RSS (VmHWM).  Every value goes through channels: race-free.
 */
#include <stdint.h>

#include <mn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct node {
	int64_t num, size;
	mn_chan *up;
};

static void node(void *arg)
{
	struct node *n = arg;
	int64_t sum = 0, v;
	mn_chan *kids;

	if (n->size == 1) {
		mn_chan_send(n->up, &n->num);
		free(n);
		return;
	}
	kids = mn_chan_make(sizeof(int64_t), 0);
	for (int i = 0; i < 10; i++) {
		struct node *k = malloc(sizeof(*k));

		k->num = n->num + i * (n->size / 10);
		k->size = n->size / 10;
		k->up = kids;
		mn_go(node, k);
	}
	for (int i = 0; i < 10; i++) {
		mn_chan_recv(kids, &v);
		sum += v;
	}
	mn_chan_free(kids);
	mn_chan_send(n->up, &sum);
	free(n);
}

static void print_rss(void)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmHWM:", 6))
			printf("rss %s", line + 6 + strspn(line + 6, " \t"));
	if (f)
		fclose(f);
}

static int sky_main(void *arg)
{
	struct node *root = malloc(sizeof(*root));
	mn_chan *out = mn_chan_make(sizeof(int64_t), 0);
	int64_t sum;

	root->num = 0;
	root->size = 1000000;
	root->up = out;
	mn_go(node, root);
	mn_chan_recv(out, &sum);
	printf("sum %lld\n", (long long)sum);
	print_rss();
	return sum != 499999500000LL;
}

int main(void)
{
	return mn_main(sky_main, NULL);
}
