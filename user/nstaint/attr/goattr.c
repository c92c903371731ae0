// SPDX-License-Identifier: GPL-2.0-only
/*
 * Go binary inspection: where the running goroutine's g lives and where
 * runtime.g keeps goid and lockedm.
 *
 *  - Recognised by the .go.buildinfo section; runtime.buildVersion is read
 *    from it (Go 1.18+ layout: 32-byte header with flag bit 1 "inline
 *    strings", then a uvarint-prefixed version string).
 *  - goid/lockedm: DW_AT_data_member_location of the members of the DWARF
 *    type runtime.g, through libdw (which inflates the SHF_COMPRESSED
 *    .debug_* sections Go writes).  A binary built with -ldflags=-w has no
 *    DWARF: then a table of versions, each row read from the DWARF of a
 *    binary that toolchain built (llvm-dwarfdump --name=runtime.g).
 *  - g's TLS slot (amd64): without a PT_TLS segment the Go runtime sets
 *    fsbase itself and keeps g at fsbase - 8.  With one (cgo, or any
 *    binary that libc's loader sets TLS up for) g is the TLS variable
 *    runtime.tlsg of the executable, whose block is the first one below
 *    the thread pointer (TLS variant II, glibc's _dl_determine_tlsoffset):
 *    g = fsbase - block_offset + tlsg.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <gelf.h>
#include <libelf.h>

#include "common/elfscn.h"
#include "attr/goattr.h"

static const struct {
	const char *prefix;	/* "go1.19" matches go1.19 and go1.19.N */
	__u32 goid, lockedm;
} go_table[] = {
	{ "go1.19", 152, 232 },	/* Debian 12 */
};

/* -ENOENT: not a Go binary; 0: Go, @buf holds the version or "". */
static int buildinfo_version(Elf *elf, char *buf, size_t len)
{
	static const char magic[] = "\xff Go buildinf:";
	GElf_Shdr sh;
	Elf_Scn *scn = elf_section_named(elf, ".go.buildinfo", &sh);
	size_t n = 0, i, shift = 0;
	const unsigned char *p;
	Elf_Data *d;

	buf[0] = 0;
	if (!scn)
		return -ENOENT;
	d = elf_getdata(scn, NULL);
	/* SHT_NOBITS has a size but no bytes. */
	if (!d || !d->d_buf || d->d_size < 33)
		return -ENOENT;
	p = d->d_buf;
	if (memcmp(p, magic, sizeof(magic) - 1))
		return -ENOENT;
	if (!(p[15] & 2))
		return 0;	/* pre-1.18 pointer layout: version unknown */
	for (i = 32; i < d->d_size && i < 42; i++) {
		n |= (size_t)(p[i] & 0x7f) << shift;
		shift += 7;
		if (!(p[i] & 0x80))
			break;
	}
	i++;
	if (i + n <= d->d_size && n < len) {
		memcpy(buf, p + i, n);
		buf[n] = 0;
	}
	return 0;
}

static int member_offset(Dwarf_Die *type, const char *name, __u32 *off)
{
	Dwarf_Attribute a;
	Dwarf_Word w;
	Dwarf_Die m;

	if (dwarf_child(type, &m))
		return -1;
	do {
		if (dwarf_tag(&m) != DW_TAG_member || !dwarf_diename(&m) ||
		    strcmp(dwarf_diename(&m), name))
			continue;
		if (!dwarf_attr(&m, DW_AT_data_member_location, &a) ||
		    dwarf_formudata(&a, &w))
			return -1;
		*off = (__u32)w;
		return 0;
	} while (!dwarf_siblingof(&m, &m));
	return -1;
}

/* runtime.g's goid and lockedm from DWARF.  0 when both were found. */
static int dwarf_offsets(Elf *elf, struct go_offsets *off)
{
	Dwarf *dw = dwarf_begin_elf(elf, DWARF_C_READ, NULL);
	Dwarf_Off cu_off = 0, next;
	size_t hsize;
	int err = -1;

	if (!dw)
		return -1;
	while (err && !dwarf_nextcu(dw, cu_off, &next, &hsize, NULL, NULL,
				    NULL)) {
		Dwarf_Die cu, d;
		const char *name;

		if (!dwarf_offdie(dw, cu_off + hsize, &cu))
			break;
		cu_off = next;
		if (dwarf_child(&cu, &d))
			continue;
		do {
			name = dwarf_diename(&d);
			if (dwarf_tag(&d) != DW_TAG_structure_type || !name ||
			    strcmp(name, "runtime.g"))
				continue;
			if (!member_offset(&d, "goid", &off->goid) &&
			    !member_offset(&d, "lockedm", &off->lockedm))
				err = 0;
			break;
		} while (!dwarf_siblingof(&d, &d));
	}
	dwarf_end(dw);
	return err;
}

static int table_offsets(const char *version, struct go_offsets *off)
{
	size_t i, pl;

	for (i = 0; i < sizeof(go_table) / sizeof(go_table[0]); i++) {
		pl = strlen(go_table[i].prefix);
		if (!strncmp(version, go_table[i].prefix, pl) &&
		    (version[pl] == 0 || version[pl] == '.')) {
			off->goid = go_table[i].goid;
			off->lockedm = go_table[i].lockedm;
			return 0;
		}
	}
	return -1;
}

/* Far above any real static TLS block, far below overflowing an offset. */
#define GO_TLS_MAX	(1ULL << 30)

/* g's offset from fsbase (see the top of this file).  0 on success. */
static int tls_g_offset(Elf *elf, struct goattr *ga)
{
	GElf_Addr tlsg = 0, align, first, block;
	GElf_Phdr ph, tls = { 0 };
	size_t n, i;

	if (elf_getphdrnum(elf, &n)) {
		snprintf(ga->why, sizeof(ga->why), "its program headers "
			 "cannot be read: %s", elf_errmsg(-1));
		return -1;
	}
	for (i = 0; i < n; i++)
		if (gelf_getphdr(elf, i, &ph) && ph.p_type == PT_TLS)
			tls = ph;
	if (tls.p_type != PT_TLS) {
		ga->off.tls_g = -8;
		return 0;
	}
	ga->cgo = true;
	/* Without a symbol table the slot is known only when g is all the
	 * block holds. */
	if (elf_symbol_value(elf, SHT_SYMTAB, "runtime.tlsg", &tlsg) && tls.p_memsz > 8) {
		snprintf(ga->why, sizeof(ga->why), "cgo binary without "
			 "symbols: runtime.tlsg's place in its %llu-byte TLS "
			 "block is unknown", (unsigned long long)tls.p_memsz);
		return -1;
	}
	/*
	 * The binary chooses these numbers: g's 8 bytes must lie in the
	 * block, and the block be of a size and alignment the loader could
	 * lay out, so that the arithmetic below cannot overflow.
	 */
	align = tls.p_align ? tls.p_align : 1;
	if (tls.p_memsz > GO_TLS_MAX || align > GO_TLS_MAX ||
	    (align & (align - 1)) || tls.p_memsz < 8 ||
	    tlsg > tls.p_memsz - 8) {
		snprintf(ga->why, sizeof(ga->why), "runtime.tlsg at %llu "
			 "does not fit its TLS block (%llu bytes, aligned "
			 "%llu)", (unsigned long long)tlsg,
			 (unsigned long long)tls.p_memsz,
			 (unsigned long long)tls.p_align);
		return -1;
	}
	/* glibc: off = roundup(memsz - firstbyte, align) + firstbyte. */
	first = (-(tls.p_vaddr & (align - 1))) & (align - 1);
	block = (tls.p_memsz - first + align - 1) / align * align + first;
	ga->off.tls_g = (__s64)tlsg - (__s64)block;
	return 0;
}

/*
 * Answers by executable file, so each exec of one binary (a test suite
 * running the same Go program many times) reads its DWARF once: the
 * followed process is held stopped while it is read.
 */
#define GOATTR_CACHE	32

static struct goattr_cached {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	int err;
	struct goattr ga;
} goattr_cache[GOATTR_CACHE];
static unsigned int goattr_ncached;

static struct goattr_cached *cached(const struct stat *st)
{
	struct goattr_cached *c;
	unsigned int i;

	for (i = 0; i < goattr_ncached && i < GOATTR_CACHE; i++) {
		c = &goattr_cache[i];
		if (c->dev == st->st_dev && c->ino == st->st_ino &&
		    c->size == st->st_size &&
		    c->mtime.tv_sec == st->st_mtim.tv_sec &&
		    c->mtime.tv_nsec == st->st_mtim.tv_nsec)
			return c;
	}
	return NULL;
}

static int remember(const struct stat *st, int err, const struct goattr *ga)
{
	struct goattr_cached *c =
		&goattr_cache[goattr_ncached++ % GOATTR_CACHE];

	c->dev = st->st_dev;
	c->ino = st->st_ino;
	c->size = st->st_size;
	c->mtime = st->st_mtim;
	c->err = err;
	c->ga = *ga;
	return err;
}

int goattr_read_elf(Elf *elf, struct goattr *ga)
{
	int err;

	memset(ga, 0, sizeof(*ga));
	err = buildinfo_version(elf, ga->version, sizeof(ga->version));
	if (err)
		return err;
	if (tls_g_offset(elf, ga))
		return -ENOTSUP;
	if (!dwarf_offsets(elf, &ga->off)) {
		ga->from_dwarf = true;
		return 0;
	}
	if (!table_offsets(ga->version, &ga->off))
		return 0;
	snprintf(ga->why, sizeof(ga->why), "Go %s binary without "
		 "DWARF (built with -ldflags=-w or stripped) and %s",
		 ga->version[0] ? ga->version : "(version unknown)",
		 ga->version[0] ? "that version is not in nstaint's "
		 "table" : "its version is unknown");
	return -ENOTSUP;
}

int goattr_read(const char *path, struct goattr *ga)
{
	struct goattr_cached *c;
	struct stat st;
	Elf *elf;
	int fd, err;

	memset(ga, 0, sizeof(*ga));
	elf_version(EV_CURRENT);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		close(fd);
		return err;
	}
	c = cached(&st);
	if (c) {
		*ga = c->ga;
		close(fd);
		return c->err;
	}
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (elf && elf_kind(elf) == ELF_K_ELF)
		err = goattr_read_elf(elf, ga);
	else
		err = -ENOENT;
	if (elf)
		elf_end(elf);
	close(fd);
	return remember(&st, err, ga);
}
