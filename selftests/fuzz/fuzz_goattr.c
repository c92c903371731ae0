// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the readers of a mapped ELF file that a process
 * controls, as nstaint runs them on its executable and libraries:
 *  - goattr (user/nstaint/attr/goattr.c): .go.buildinfo, PT_TLS and
 *    runtime.tlsg, the DWARF type runtime.g (libdw);
 *  - mnattr's inspection (user/nstaint/attr/mnattr.c): PT_LOAD, the symbol
 *    mn_nstaint_registry, the libmn:thread_start USDT note;
 *  - the libmn.so a program needs (attr/mnneeded.c): its .dynamic's
 *    DT_NEEDED, DT_RPATH and DT_RUNPATH strings;
 *  - through both, elfscn.c's section and symbol lookups.
 * Input: an ELF file, opened with elf_memory() on an exactly sized copy
 * (libelf then points into it, as into the mmap of ELF_C_READ_MMAP).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <gelf.h>

#include "attr/goattr.h"
#include "attr/mnattr.h"
#include "fuzz.h"

/* What mnattr_needed_parse hands on: at most MN_NEEDED_MAX names, each
 * a libmn*.so* file name (never a path: it is joined to directories),
 * every string terminated (ASan: read to its end). */
static void check_needed(const struct mn_needed *nd)
{
	if (nd->n > MN_NEEDED_MAX)
		abort();
	for (size_t i = 0; i < nd->n; i++)
		if (strncmp(nd->name[i], "libmn", 5) || !strstr(nd->name[i], ".so") ||
		    strchr(nd->name[i], '/'))
			abort();
	if ((nd->rpath && strlen(nd->rpath) > SIZE_MAX / 2) ||
	    (nd->runpath && strlen(nd->runpath) > SIZE_MAX / 2))
		abort();
}

static bool first_load(Elf *elf, GElf_Phdr *ph)
{
	size_t n;

	if (elf_getphdrnum(elf, &n))
		return false;
	for (size_t i = 0; i < n; i++)
		if (gelf_getphdr(elf, i, ph) && ph->p_type == PT_LOAD)
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mn_needed nd;
	struct goattr ga;
	struct mn_elf el;
	GElf_Phdr ph;
	char *buf;
	Elf *elf;
	int err;

	elf_version(EV_CURRENT);
	buf = fuzz_copy(data, size);
	if (!buf)
		return 0;
	elf = elf_memory(buf, size);
	if (elf && elf_kind(elf) == ELF_K_ELF) {
		err = goattr_read_elf(elf, &ga);
		/* What goattr hands on is terminated, whatever it read. */
		if (!memchr(ga.version, 0, sizeof(ga.version)) ||
		    !memchr(ga.why, 0, sizeof(ga.why)))
			abort();
		/* -ENOTSUP is reported to the user with ga.why. */
		if (err == -ENOTSUP && !ga.why[0])
			abort();
		/* g is 8 bytes below the thread pointer or further. */
		if (!err && ga.off.tls_g > -8)
			abort();
		mnattr_needed_parse(elf, &nd);
		check_needed(&nd);
		mnattr_inspect_elf(elf, &el);
		/* The first PT_LOAD is mapped from its page's start. */
		if (first_load(elf, &ph) &&
		    el.first_vaddr != (ph.p_vaddr & ~(GElf_Addr)4095))
			abort();
	}
	if (elf)
		elf_end(elf);
	free(buf);
	return 0;
}
