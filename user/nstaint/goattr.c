// SPDX-License-Identifier: GPL-2.0-only
/*
 * Go binary recognition: runtime.buildVersion from the .go.buildinfo
 * section (Go 1.18+ layout: 32-byte header with flag bit 1 "inline
 * strings", then uvarint-prefixed version string), mapped to the runtime.g
 * offsets through a table.  Every row was read from the DWARF of a binary
 * built by that toolchain (llvm-dwarfdump --name=runtime.g).
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "goattr.h"

static const struct {
	const char *prefix;	/* "go1.19" matches go1.19 and go1.19.N */
	struct go_offsets off;
} go_table[] = {
	{ "go1.19", { .goid = 152, .lockedm = 232 } },	/* Debian 12 */
};

static int buildinfo_version(Elf *elf, char *buf, size_t len)
{
	static const char magic[] = "\xff Go buildinf:";
	Elf_Scn *scn = NULL;
	size_t shstrndx, n, i, shift = 0;
	const unsigned char *p;
	Elf_Data *d;
	GElf_Shdr sh;
	const char *name;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return -ENOENT;
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (name && !strcmp(name, ".go.buildinfo"))
			break;
	}
	if (!scn)
		return -ENOENT;
	d = elf_getdata(scn, NULL);
	if (!d || d->d_size < 33)
		return -ENOENT;
	p = d->d_buf;
	if (memcmp(p, magic, sizeof(magic) - 1))
		return -ENOENT;
	if (!(p[15] & 2))
		return -ENOTSUP;	/* pre-1.18 pointer layout */
	/* uvarint length at offset 32 */
	n = 0;
	for (i = 32; i < d->d_size && i < 42; i++) {
		n |= (size_t)(p[i] & 0x7f) << shift;
		shift += 7;
		if (!(p[i] & 0x80))
			break;
	}
	i++;
	if (i + n > d->d_size || n + 1 > len)
		return -ENOTSUP;
	memcpy(buf, p + i, n);
	buf[n] = 0;
	return 0;
}

int goattr_offsets(const char *path, struct go_offsets *out, char *version,
		   size_t len)
{
	char ver[64] = "";
	Elf *elf;
	size_t i, pl;
	int fd, err;

	elf_version(EV_CURRENT);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf) {
		err = -ENOENT;
		goto out_close;
	}
	err = buildinfo_version(elf, ver, sizeof(ver));
	if (err)
		goto out_end;
	if (version)
		snprintf(version, len, "%s", ver);
	err = -ENOTSUP;
	for (i = 0; i < sizeof(go_table) / sizeof(go_table[0]); i++) {
		pl = strlen(go_table[i].prefix);
		if (!strncmp(ver, go_table[i].prefix, pl) &&
		    (ver[pl] == 0 || ver[pl] == '.')) {
			*out = go_table[i].off;
			err = 0;
			break;
		}
	}
out_end:
	elf_end(elf);
out_close:
	close(fd);
	return err;
}
