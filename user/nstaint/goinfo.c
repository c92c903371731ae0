// SPDX-License-Identifier: GPL-2.0-only
/*
 * Go binaries: find runtime.g's goid and lockedm members with libdw, and the
 * TLS slot holding g.  Pure-Go amd64 binaries keep g at fsbase - 8; cgo
 * (externally linked) binaries at the runtime.tlsg offset inside the
 * executable's PT_TLS block, which ends at fsbase (TLS variant II).  Both
 * reduce to tlsg - roundup(memsz, align), with tlsg = 0 and an 8-byte
 * block for pure Go.
 */
#include <elf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dwarf.h>

#include "goinfo.h"

/* Stripped binaries: offsets by Go version (go/src/runtime/runtime2.go).
 * Only versions checked against real DWARF are listed. */
static const struct {
	const char *prefix;
	unsigned int goid, lockedm;
} go_table[] = {
	{ "go1.19", 152, 232 },
};

static int member_offset(Dwarf_Die *st, const char *name, unsigned int *off)
{
	Dwarf_Die m;
	Dwarf_Attribute a;
	Dwarf_Word w;

	if (dwarf_child(st, &m))
		return -1;
	do {
		if (dwarf_tag(&m) != DW_TAG_member || !dwarf_diename(&m) ||
		    strcmp(dwarf_diename(&m), name))
			continue;
		if (!dwarf_attr(&m, DW_AT_data_member_location, &a) ||
		    dwarf_formudata(&a, &w))
			return -1;
		*off = (unsigned int)w;
		return 0;
	} while (!dwarf_siblingof(&m, &m));
	return -1;
}

static int dwarf_g_offsets(Elf *elf, struct goinfo *gi)
{
	Dwarf *dw = dwarf_begin_elf(elf, DWARF_C_READ, NULL);
	Dwarf_Off off = 0, next;
	size_t hsize;
	int found = 0;

	if (!dw)
		return -1;
	while (!found && !dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL)) {
		Dwarf_Die cu, d;

		if (!dwarf_offdie(dw, off + hsize, &cu))
			break;
		off = next;
		if (dwarf_child(&cu, &d))
			continue;
		do {
			const char *n;

			if (dwarf_tag(&d) != DW_TAG_structure_type)
				continue;
			n = dwarf_diename(&d);
			if (!n || strcmp(n, "runtime.g"))
				continue;
			if (!member_offset(&d, "goid", &gi->goid_off) &&
			    !member_offset(&d, "lockedm", &gi->lockedm_off))
				found = 1;
			break;
		} while (!dwarf_siblingof(&d, &d));
	}
	dwarf_end(dw);
	return found ? 0 : -1;
}

/* The Go version string from .go.buildinfo ("\xff Go buildinf:" header;
 * the version follows as a varint-prefixed string in Go >= 1.18). */
static void go_version(Elf *elf, size_t shstrndx, struct goinfo *gi)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn))) {
		const char *n;
		Elf_Data *d;
		const char *p;
		size_t i;

		if (!gelf_getshdr(scn, &sh))
			continue;
		n = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!n || strcmp(n, ".go.buildinfo"))
			continue;
		d = elf_getdata(scn, NULL);
		if (!d || !d->d_buf)
			return;
		p = d->d_buf;
		for (i = 0; i + 5 < d->d_size && i < 4096; i++) {
			if (!memcmp(p + i, "go1.", 4)) {
				size_t j = 0;

				while (j < sizeof(gi->version) - 1 && i + j < d->d_size &&
				       (p[i + j] == '.' || p[i + j] == 'g' ||
					p[i + j] == 'o' || (p[i + j] >= '0' && p[i + j] <= '9')))
					j++;
				memcpy(gi->version, p + i, j);
				gi->version[j] = 0;
				return;
			}
		}
	}
}

static int is_go(Elf *elf, size_t shstrndx)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn))) {
		const char *n;

		if (!gelf_getshdr(scn, &sh))
			continue;
		n = elf_strptr(elf, shstrndx, sh.sh_name);
		if (n && (!strcmp(n, ".go.buildinfo") || !strcmp(n, ".gopclntab") ||
			  !strcmp(n, ".note.go.buildid")))
			return 1;
	}
	return 0;
}

/* tls_g_off from PT_TLS and runtime.tlsg (cgo), else -8. */
static long tls_g_offset(Elf *elf)
{
	GElf_Phdr ph;
	size_t n, i;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	long tlsg = -1, block = 0;

	if (elf_getphdrnum(elf, &n))
		return -8;
	for (i = 0; i < n; i++) {
		if (gelf_getphdr(elf, i, &ph) && ph.p_type == PT_TLS) {
			unsigned long a = ph.p_align ? ph.p_align : 1;

			block = (long)((ph.p_memsz + a - 1) / a * a);
		}
	}
	while ((scn = elf_nextscn(elf, scn))) {
		Elf_Data *d;
		GElf_Sym sym;
		size_t k;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		d = elf_getdata(scn, NULL);
		for (k = 0; d && k < sh.sh_size / sh.sh_entsize; k++) {
			const char *nm;

			if (!gelf_getsym(d, k, &sym))
				continue;
			nm = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (nm && !strcmp(nm, "runtime.tlsg")) {
				tlsg = (long)sym.st_value;
				break;
			}
		}
	}
	if (block && tlsg >= 0)
		return tlsg - block;
	return -8;
}

int goinfo_read(const char *path, struct goinfo *gi)
{
	size_t shstrndx, i;
	Elf *elf;
	int fd, ret = 0;

	memset(gi, 0, sizeof(*gi));
	elf_version(EV_CURRENT);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || elf_getshdrstrndx(elf, &shstrndx))
		goto out;
	if (!is_go(elf, shstrndx))
		goto out;
	go_version(elf, shstrndx, gi);
	gi->tls_g_off = tls_g_offset(elf);
	if (!dwarf_g_offsets(elf, gi)) {
		gi->from_dwarf = 1;
		ret = 1;
		goto out;
	}
	ret = -1;
	for (i = 0; i < sizeof(go_table) / sizeof(go_table[0]); i++) {
		size_t l = strlen(go_table[i].prefix);

		if (!strncmp(gi->version, go_table[i].prefix, l) &&
		    (gi->version[l] == 0 || gi->version[l] == '.')) {
			gi->goid_off = go_table[i].goid;
			gi->lockedm_off = go_table[i].lockedm;
			ret = 1;
		}
	}
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return ret;
}
