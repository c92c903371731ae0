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
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <nstaint/mn_abi.h>
#include "common/elfscn.h"
#include "attr/mnattr.h"

#define REGISTRY_SYM	"mn_nstaint_registry"

/*
 * The stapsdt note of libmn:thread_start: its descriptor holds three
 * addresses then "provider\0name\0args".
 */
static bool find_usdt(Elf *elf)
{
	static const char probe[] = "libmn\0thread_start";
	GElf_Shdr sh;
	Elf_Scn *scn = elf_section_named(elf, ".note.stapsdt", &sh);
	Elf_Data *d = scn ? elf_getdata(scn, NULL) : NULL;

	return d && d->d_buf &&
	       memmem(d->d_buf, d->d_size, probe, sizeof(probe));
}

void mnattr_inspect_elf(Elf *elf, struct mn_elf *el)
{
	GElf_Ehdr eh;
	GElf_Phdr ph;

	memset(el, 0, sizeof(*el));
	if (!elf || !gelf_getehdr(elf, &eh))
		return;
	el->type = eh.e_type;
	for (size_t i = 0; i < eh.e_phnum; i++) {
		/*
		 * The kernel and ld.so map it from the start of its page,
		 * whatever p_align says (the file's to choose: 0 made this
		 * 0, placing the registry wrongly).  Valid files, whose
		 * first PT_LOAD is p_align-aligned, give the same value.
		 */
		if (gelf_getphdr(elf, i, &ph) && ph.p_type == PT_LOAD) {
			el->first_vaddr = ph.p_vaddr &
					  ~(__u64)(sysconf(_SC_PAGESIZE) - 1);
			break;
		}
	}
	/* .symtab first (a static libmn), then .dynsym (libmn.so). */
	el->has_sym =
		!elf_symbol_value(elf, SHT_SYMTAB, REGISTRY_SYM, &el->value) ||
		!elf_symbol_value(elf, SHT_DYNSYM, REGISTRY_SYM, &el->value);
	el->has_usdt = find_usdt(elf);
}

static void inspect(int fd, struct mn_elf *el)
{
	Elf *elf = elf_begin(fd, ELF_C_READ, NULL);

	mnattr_inspect_elf(elf, el);
	elf_end(elf);
}

/*
 * The registry is the first definition in map order: the executable's
 * when it refers to the registry itself (a copy relocation moves the
 * object there, and libmn.so uses that copy), else libmn's.  The probe is
 * in whichever file holds libmn's code.
 */
int mnattr_find(pid_t pid, struct mn_proc *out)
{
	char maps[64], line[PATH_MAX + 128], last[PATH_MAX] = "";
	char file[PATH_MAX + 32];
	unsigned long long start, end, off;
	struct mn_elf el;
	struct stat st;
	int fd, n;
	FILE *f;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	snprintf(maps, sizeof(maps), "/proc/%d/maps", pid);
	f = fopen(maps, "re");
	if (!f)
		return -errno;
	while (!(out->registry && out->usdt_path[0]) &&
	       fgets(line, sizeof(line), f)) {
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
		/*
		 * Through the process's root: it may be in another mnt ns.
		 * What the path opens now is the process's to choose (it
		 * may have mounted a FIFO over it): O_NONBLOCK so that
		 * open does not wait, then only regular files are read.
		 */
		snprintf(file, sizeof(file), "/proc/%d/root%s", pid, path);
		fd = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
		if (fd < 0)
			continue;
		if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
			close(fd);
			continue;
		}
		inspect(fd, &el);
		close(fd);
		if (el.has_sym && !out->registry)
			/* ET_EXEC is loaded at its link addresses. */
			out->registry = el.type == ET_DYN ?
					start - el.first_vaddr + el.value :
					el.value;
		if (el.has_usdt && !out->usdt_path[0]) {
			snprintf(out->usdt_path, sizeof(out->usdt_path), "%s",
				 file);
			out->dev = st.st_dev;
			out->ino = st.st_ino;
		}
	}
	fclose(f);
	return out->registry ? 0 : -ENOENT;
}

int mnattr_registry_read(const struct mn_mem *mem, __u64 registry,
			 mn_slot_fn fn, void *ctx)
{
	/* The header: every field before threads[]. */
	struct mn_abi_registry hdr;
	const size_t hsz = offsetof(struct mn_abi_registry, threads);
	struct mn_abi_thread *th = NULL;
	__u64 gen2;
	int tries, err = -EAGAIN, n = 0;
	size_t len;

	/*
	 * Retry while a thread starts or exits (generation odd or moved);
	 * a thread missed here is announced by the thread_start probe.
	 */
	for (tries = 0; tries < 100 && err == -EAGAIN; tries++) {
		if (mem->read(mem->ctx, registry, &hdr, hsz)) {
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
		if (len && mem->read(mem->ctx, registry + hsz, th, len)) {
			err = -EIO;
			break;
		}
		if (mem->read(mem->ctx, registry +
			      offsetof(struct mn_abi_registry, generation),
			      &gen2, sizeof(gen2))) {
			err = -EIO;
			break;
		}
		if (gen2 == hdr.generation)
			err = 0;
	}
	if (!err) {
		/*
		 * The process writes the registry: a tid of another process
		 * would have BPF (slots are keyed by tid) read that thread's
		 * task from a wrong address, hiding its goroutines.
		 */
		for (__u32 i = 0; i < hdr.nr_used; i++) {
			if (!th[i].slot_addr ||
			    !mem->has_thread(mem->ctx, th[i].tid))
				continue;
			fn(ctx, th[i].tid, th[i].slot_addr);
			n++;
		}
	}
	free(th);
	return err ? err : n;
}

struct procmem {
	pid_t pid;
	int fd;			/* /proc/PID/mem */
};

/* mn_mem.read on /proc/PID/mem: a short read is a failure. */
static int procmem_read(void *ctx, __u64 addr, void *buf, size_t len)
{
	const struct procmem *pm = ctx;

	return pread(pm->fd, buf, len, addr) == (ssize_t)len ? 0 : -EIO;
}

/* mn_mem.has_thread: /proc/PID/task/TID exists. */
static bool procmem_has_thread(void *ctx, __u32 tid)
{
	const struct procmem *pm = ctx;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/task/%u", pm->pid, tid);
	return tid && !access(path, F_OK);
}

int mnattr_ring(pid_t pid, __u64 registry, struct mn_abi_ring *out)
{
	const size_t off = offsetof(struct mn_abi_registry, ring);
	struct procmem pm = { .pid = pid };
	__u32 head[2];
	char path[64];
	int err = 0;

	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	pm.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (pm.fd < 0)
		return -errno;
	/* The magic and version first: a registry of another version may
	 * be shorter than the field. */
	if (procmem_read(&pm, registry, head, sizeof(head)) ||
	    procmem_read(&pm, registry + off, out, sizeof(*out)))
		err = -EIO;
	else if (head[0] != MN_ABI_REG_MAGIC || head[1] != MN_ABI_VERSION)
		err = -EPROTO;
	else if (!out->addr)
		err = -ENOENT;
	close(pm.fd);
	return err;
}

int mnattr_threads(pid_t pid, __u64 registry, mn_slot_fn fn, void *ctx)
{
	struct procmem pm = { .pid = pid };
	struct mn_mem mem = {
		.read = procmem_read, .has_thread = procmem_has_thread,
		.ctx = &pm,
	};
	char path[64];
	int ret;

	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	pm.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (pm.fd < 0)
		return -errno;
	ret = mnattr_registry_read(&mem, registry, fn, ctx);
	close(pm.fd);
	return ret;
}
