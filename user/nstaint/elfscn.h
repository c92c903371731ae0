/* SPDX-License-Identifier: GPL-2.0-only */
/* Finding an ELF section by name (libelf). */
#ifndef NSTAINT_ELFSCN_H
#define NSTAINT_ELFSCN_H

#include <gelf.h>

/* The section called @name, its header in @sh; NULL if there is none. */
Elf_Scn *elf_section_named(Elf *elf, const char *name, GElf_Shdr *sh);

#endif
