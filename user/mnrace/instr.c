// SPDX-License-Identifier: GPL-2.0-only
/* The executable's code ranges (instr.h), read once at start. */
#include <link.h>
#include <stddef.h>

#include "instr.h"

#define MAX_RANGES 8

static struct { uintptr_t lo, hi; } ranges[MAX_RANGES];
static int nranges;

static int exe_code(struct dl_phdr_info *info, size_t size, void *arg)
{
	for (int i = 0; i < info->dlpi_phnum && nranges < MAX_RANGES; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
			ranges[nranges].lo = info->dlpi_addr + ph->p_vaddr;
			ranges[nranges].hi = ranges[nranges].lo + ph->p_memsz;
			nranges++;
		}
	}
	return 1;	/* the first object is the executable: stop */
}

void instr_init(void)
{
	dl_iterate_phdr(exe_code, NULL);
}

bool pc_instrumented(uintptr_t pc)
{
	for (int i = 0; i < nranges; i++)
		if (pc >= ranges[i].lo && pc < ranges[i].hi)
			return true;
	return false;
}
