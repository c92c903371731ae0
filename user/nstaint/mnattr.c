// SPDX-License-Identifier: GPL-2.0-only
/*
 * libmn recognition: the symbol mn_nstaint_registry in the ELF symbol
 * tables (.symtab, else .dynsym) of the files a process maps, placed at
 * its load address (/proc/PID/maps), then read through /proc/PID/mem.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <nstaint/mn_abi.h>
#include "mnattr.h"

#define REGISTRY_SYM	"mn_nstaint_registry"

/*
 * Value of REGISTRY_SYM in the ELF file @fd, and the file's first PT_LOAD
 * p_vaddr (page aligned) and type.  0 or -ENOENT.
 */
static int registry_sym(int fd, __u64 *value, __u64 *first_vaddr, int *type)
{
	Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;
	GElf_Phdr ph;
	GElf_Shdr sh;
	size_t i, n;
	int err = -ENOENT, pass;

	if (!elf || !gelf_getehdr(elf, &eh))
		goto out;
	*type = eh.e_type;
	*first_vaddr = 0;
	for (i = 0; i < eh.e_phnum; i++) {
		if (gelf_getphdr(elf, i, &ph) && ph.p_type == PT_LOAD) {
			*first_vaddr = ph.p_vaddr & ~(__u64)(ph.p_align - 1);
			break;
		}
	}
	/* .symtab first (static libmn keeps the hidden-free name there). */
	for (pass = 0; pass < 2 && err; pass++) {
		scn = NULL;
		while (err && (scn = elf_nextscn(elf, scn))) {
			Elf_Data *d;
			GElf_Sym sym;

			if (!gelf_getshdr(scn, &sh) || sh.sh_type !=
			    (pass ? SHT_DYNSYM : SHT_SYMTAB) || !sh.sh_entsize)
				continue;
			d = elf_getdata(scn, NULL);
			n = d ? sh.sh_size / sh.sh_entsize : 0;
			for (i = 0; i < n; i++) {
				const char *name;

				if (!gelf_getsym(d, i, &sym) || !sym.st_value ||
				    sym.st_shndx == SHN_UNDEF)
					continue;
				name = elf_strptr(elf, sh.sh_link, sym.st_name);
				if (name && !strcmp(name, REGISTRY_SYM)) {
					*value = sym.st_value;
					err = 0;
					break;
				}
			}
		}
	}
out:
	elf_end(elf);
	return err;
}

int mnattr_find(pid_t pid, struct mn_proc *out)
{
	char maps[64], line[PATH_MAX + 128], last[PATH_MAX] = "";
	unsigned long long start, end, off;
	__u64 value, first;
	struct stat st;
	int fd, type, n, err = -ENOENT;
	FILE *f;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	snprintf(maps, sizeof(maps), "/proc/%d/maps", pid);
	f = fopen(maps, "re");
	if (!f)
		return -errno;
	while (err && fgets(line, sizeof(line), f)) {
		char *path;

		if (sscanf(line, "%llx-%llx %*s %llx %*s %*s %n", &start, &end,
			   &off, &n) < 3)
			continue;
		path = line + n;
		path[strcspn(path, "\n")] = 0;
		/* Each file once, at its lowest mapping (offset 0). */
		if (path[0] != '/' || off || !strcmp(path, last))
			continue;
		snprintf(last, sizeof(last), "%s", path);
		/* Through the process's root: it may be in another mnt ns. */
		snprintf(out->path, sizeof(out->path), "/proc/%d/root%s", pid,
			 path);
		fd = open(out->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (!fstat(fd, &st) && S_ISREG(st.st_mode) &&
		    !registry_sym(fd, &value, &first, &type)) {
			out->dev = st.st_dev;
			out->ino = st.st_ino;
			/* ET_EXEC is loaded at its link addresses. */
			out->registry = type == ET_DYN ?
					start - first + value : value;
			err = 0;
		}
		close(fd);
	}
	fclose(f);
	return err;
}

int mnattr_threads(pid_t pid, __u64 registry, mn_slot_fn fn, void *ctx)
{
	/* The header: every field before threads[]. */
	struct mn_abi_registry hdr;
	const size_t hsz = offsetof(struct mn_abi_registry, threads);
	struct mn_abi_thread *th = NULL;
	__u64 gen2;
	char mem[64];
	int fd, tries, err = -EAGAIN, n = 0;
	size_t len;

	snprintf(mem, sizeof(mem), "/proc/%d/mem", pid);
	fd = open(mem, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/*
	 * Retry while a thread starts or exits (generation odd or moved);
	 * a thread missed here is announced by the thread_start probe.
	 */
	for (tries = 0; tries < 100 && err == -EAGAIN; tries++) {
		if (pread(fd, &hdr, hsz, registry) != (ssize_t)hsz) {
			err = -EIO;
			break;
		}
		if (hdr.magic != MN_ABI_REG_MAGIC ||
		    hdr.version != MN_ABI_VERSION ||
		    hdr.nr_used > MN_ABI_MAX_THREADS) {
			err = -EPROTO;
			break;
		}
		if (hdr.generation & 1)
			continue;
		len = hdr.nr_used * sizeof(*th);
		free(th);
		th = malloc(len + 1);
		if (!th) {
			err = -ENOMEM;
			break;
		}
		if (len && pread(fd, th, len, registry + hsz) != (ssize_t)len) {
			err = -EIO;
			break;
		}
		if (pread(fd, &gen2, sizeof(gen2), registry +
			  offsetof(struct mn_abi_registry, generation)) !=
		    sizeof(gen2)) {
			err = -EIO;
			break;
		}
		if (gen2 == hdr.generation)
			err = 0;
	}
	if (!err) {
		for (__u32 i = 0; i < hdr.nr_used; i++) {
			if (!th[i].slot_addr)
				continue;
			fn(ctx, th[i].tid, th[i].slot_addr);
			n++;
		}
	}
	free(th);
	close(fd);
	return err ? err : n;
}
