/* SPDX-License-Identifier: GPL-2.0-only */
/* Function names of a Go binary from its .gopclntab (kept when stripped). */
#ifndef NSTAINT_GOPCLNTAB_H
#define NSTAINT_GOPCLNTAB_H

#include <stddef.h>
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

/* The same from the section's bytes @data (which must outlive it); @text
 * is the .text address, used when the header's textStart is 0 (a PIE). */
struct gopclntab *gopclntab_parse(const void *data, size_t size,
				  uint64_t text);

void gopclntab_free(struct gopclntab *t);

#endif
