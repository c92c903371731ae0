// SPDX-License-Identifier: GPL-2.0-only
/*
 * Seed for the goattr fuzz target: a small C program whose DWARF, unlike
 * Go's, is not compressed, so that mutations reach libdw and goattr's walk
 * of runtime.g.  build.mk renames the type runtime_g to runtime.g in the
 * binary and adds a Go 1.18+ .go.buildinfo; goattr then reads goid 152
 * and lockedm 232, Go 1.19's offsets.
 */
struct runtime_g {
	char stack_and_more[152];
	unsigned long long goid;
	char more[72];
	void *lockedm;
};

struct runtime_g the_g;

int main(void)
{
	return (int)the_g.goid;
}
