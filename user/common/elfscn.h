/* SPDX-License-Identifier: GPL-2.0-only */
/* Finding an ELF section or symbol by name (libelf). */
#ifndef NSTAINT_ELFSCN_H
#define NSTAINT_ELFSCN_H

#include <gelf.h>

/* The section called @name, its header in @sh; NULL if there is none. */
Elf_Scn *elf_section_named(Elf *elf, const char *name, GElf_Shdr *sh);

/*
 * st_value of the symbol called @name defined (not SHN_UNDEF) in the
 * symbol table of type @shtype (SHT_SYMTAB, SHT_DYNSYM).  0 on success,
 * -1 if there is none.  A value of 0 is a value (a TLS offset can be).
 */
int elf_symbol_value(Elf *elf, Elf64_Word shtype, const char *name,
		     GElf_Addr *value);

#endif
