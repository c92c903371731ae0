// SPDX-License-Identifier: GPL-2.0-only
/*
 * Go's own symbol table, .gopclntab: a stripped Go binary (-ldflags=-s)
 * loses .symtab but keeps this, which the runtime needs for tracebacks.
 * Only function names are read, not the pc-to-line tables.
 *
 * Layout (Go 1.18+, runtime/symtab.go pcHeader; magic 0xfffffff0 up to
 * 1.19, 0xfffffff1 from 1.20 with the same fields read here), all
 * little-endian on amd64:
 *   u32 magic, u8 pad[2], u8 minLC, u8 ptrsize, then ptrsize-sized
 *   nfunc, nfiles, textStart, funcnameOffset, cuOffset, filetabOffset,
 *   pctabOffset, pclnOffset (offsets from the header).
 *   At pclnOffset: nfunc + 1 pairs {u32 entryoff, u32 funcoff}, sorted by
 *   entryoff (the last one ends the text); the _func at pclnOffset +
 *   funcoff starts {u32 entryoff, i32 nameoff}, the name being a C string
 *   at funcnameOffset + nameoff.  A function's address is textStart +
 *   entryoff.
 */
#include <gelf.h>
#include <stdlib.h>
#include <string.h>

#include "common/elfscn.h"
#include "sym/gopclntab.h"

struct gopclntab {
	const unsigned char *data;
	size_t size;
	uint64_t text;		/* textStart */
	uint64_t nfunc;
	uint64_t names;		/* funcnameOffset */
	uint64_t pcln;		/* pclnOffset */
};

static uint64_t word(const unsigned char *p, unsigned int size)
{
	uint64_t v = 0;

	memcpy(&v, p, size);	/* little-endian host and target */
	return v;
}

/* The u32 at @off, 0 past the end (@off + 4 may wrap: not compared). */
static uint32_t u32(const struct gopclntab *t, uint64_t off)
{
	return off <= t->size && t->size - off >= 4 ?
	       (uint32_t)word(t->data + off, 4) : 0;
}

struct gopclntab *gopclntab_parse(const void *data, size_t size,
				  uint64_t text)
{
	const unsigned char *p = data;
	struct gopclntab *t;
	unsigned int ps;
	uint32_t magic;

	if (!p || size < 8 + 8 * 8)
		return NULL;
	magic = (uint32_t)word(p, 4);
	ps = p[7];
	if ((magic != 0xfffffff0 && magic != 0xfffffff1) || ps != 8)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->data = p;
	t->size = size;
	t->nfunc = word(p + 8, ps);
	t->text = word(p + 8 + 2 * ps, ps);
	t->names = word(p + 8 + 3 * ps, ps);
	t->pcln = word(p + 8 + 7 * ps, ps);
	/* A PIE's textStart is filled by a relocation at load time. */
	if (!t->text)
		t->text = text;
	/* nfunc + 1 functab pairs after pclnOffset, written so that no
	 * header value can wrap the sum (they are the binary's to choose). */
	if (t->pcln > t->size || t->nfunc >= (t->size - t->pcln) / 8 ||
	    t->names > t->size) {
		free(t);
		return NULL;
	}
	return t;
}

struct gopclntab *gopclntab_open(Elf *elf)
{
	Elf_Scn *scn;
	Elf_Data *d;
	GElf_Shdr sh;

	scn = elf ? elf_section_named(elf, ".gopclntab", &sh) : NULL;
	d = scn ? elf_getdata(scn, NULL) : NULL;
	if (!d)
		return NULL;
	return gopclntab_parse(d->d_buf, d->d_size,
			       elf_section_named(elf, ".text", &sh) ?
			       sh.sh_addr : 0);
}

const char *gopclntab_func(const struct gopclntab *t, uint64_t addr,
			   uint64_t *off)
{
	uint64_t lo = 0, hi, mid, pc, name, fn;

	if (!t || addr < t->text || !t->nfunc)
		return NULL;
	pc = addr - t->text;
	hi = t->nfunc;
	/* The last functab entry only ends the text. */
	if (pc >= u32(t, t->pcln + hi * 8))
		return NULL;
	/* Greatest i with entryoff[i] <= pc. */
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (u32(t, t->pcln + mid * 8) <= pc)
			lo = mid;
		else
			hi = mid;
	}
	if (u32(t, t->pcln + lo * 8) > pc)
		return NULL;
	fn = t->pcln + u32(t, t->pcln + lo * 8 + 4);
	name = t->names + (int32_t)u32(t, fn + 4);
	if (fn + 8 > t->size || name >= t->size ||
	    !memchr(t->data + name, 0, t->size - name))
		return NULL;
	*off = pc - u32(t, t->pcln + lo * 8);
	return (const char *)t->data + name;
}

void gopclntab_free(struct gopclntab *t)
{
	free(t);
}
