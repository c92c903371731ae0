/* SPDX-License-Identifier: GPL-2.0-only */
/* Function names of a Go binary from its .gopclntab (kept when stripped). */
#ifndef NSTAINT_GOPCLNTAB_H
#define NSTAINT_GOPCLNTAB_H

#include <stdint.h>
#include <libelf.h>

struct gopclntab;

/* The table of @elf (which must outlive it), or NULL if it has none of a
 * layout we read (Go 1.18 and later). */
struct gopclntab *gopclntab_open(Elf *elf);

/* The function containing @addr (a link-time address of the ELF file),
 * @off its offset in it; NULL if none does. */
const char *gopclntab_func(const struct gopclntab *t, uint64_t addr,
			   uint64_t *off);

void gopclntab_free(struct gopclntab *t);

#endif
