/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Finding the libmn runtime in a running process (include/nstaint/
 * mn_abi.h): the file that holds mn_nstaint_registry, the registry's
 * address in the process, and the per-thread slots it lists.
 */
#ifndef NSTAINT_MNATTR_H
#define NSTAINT_MNATTR_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <gelf.h>
#include <linux/types.h>
#include <nstaint/mn_abi.h>

struct mn_proc {
	__u64 registry;		/* address of mn_nstaint_registry in the pid */
	/* The file with the libmn:thread_start probe, openable from here;
	 * "" when not mapped yet (libmn.so before the loader ran). */
	char usdt_path[PATH_MAX + 32];
	dev_t dev;		/* of @usdt_path: one attachment per file */
	ino_t ino;
};

/*
 * Look for mn_nstaint_registry and the libmn probes in the files mapped
 * by @pid (the executable for a static libmn, libmn.so once loaded).  0
 * and @out filled, -ENOENT if the process does not use libmn (yet),
 * another negative errno on failure.
 */
int mnattr_find(pid_t pid, struct mn_proc *out);

/*
 * For a program that exec'd and has not run yet (its loader has mapped
 * nothing): the libmn.so it will load, as @out->usdt_path, dev, ino
 * (@out->registry stays 0).  0, -ENOENT when it needs none (or it is not
 * where ld.so looks without its cache), another negative errno
 * (attr/mnneeded.c).
 */
int mnattr_needed(pid_t pid, struct mn_proc *out);

/* What a program's .dynamic asks of the loader, as far as libmn goes. */
#define MN_NEEDED_MAX	8
struct mn_needed {
	const char *name[MN_NEEDED_MAX]; /* DT_NEEDED "libmn*.so*", no '/' */
	size_t n;
	const char *rpath, *runpath;	/* DT_RPATH, DT_RUNPATH; NULL: none */
};

/* The same from @elf (NULL: none), strings pointing into it: the part of
 * mnattr_needed that parses the file (the fuzz target's way in). */
void mnattr_needed_parse(Elf *elf, struct mn_needed *nd);

typedef void (*mn_slot_fn)(void *ctx, __u32 tid, __u64 slot_addr);

/*
 * Call @fn for every thread listed in the registry of @pid at @registry,
 * read from /proc/PID/mem while the registry is not being changed, that
 * is a thread of @pid (the process writes its registry: it may lie).
 * Returns the number of threads, or a negative errno.
 */
int mnattr_threads(pid_t pid, __u64 registry, mn_slot_fn fn, void *ctx);

/*
 * Where the report ring of @pid is, from its registry at @registry (read
 * from /proc/PID/mem; the fd is to be opened with mnattr's caller's
 * mnring_open, which trusts none of it).  0, -ENOENT if it has none,
 * -EPROTO for a registry of another version, -errno.
 */
int mnattr_ring(pid_t pid, __u64 registry, struct mn_abi_ring *out);

/*
 * The parts of the above that parse what the process controls, apart from
 * where they read it (for the fuzz targets in selftests/fuzz).
 */

/* What one mapped ELF file holds of libmn. */
struct mn_elf {
	bool has_sym;		/* defines mn_nstaint_registry, at @value */
	bool has_usdt;		/* has the libmn:thread_start probe */
	GElf_Addr value;
	__u64 first_vaddr;	/* first PT_LOAD p_vaddr, page aligned */
	int type;		/* ET_EXEC, ET_DYN */
};

void mnattr_inspect_elf(Elf *elf, struct mn_elf *el);

/* A process's memory, as mnattr_threads reads it. */
struct mn_mem {
	/* @len bytes at @addr into @buf: 0, or -errno (short reads too). */
	int (*read)(void *ctx, __u64 addr, void *buf, size_t len);
	/* Whether @tid is one of the process's threads. */
	bool (*has_thread)(void *ctx, __u32 tid);
	void *ctx;
};

/* mnattr_threads on @mem. */
int mnattr_registry_read(const struct mn_mem *mem, __u64 registry,
			 mn_slot_fn fn, void *ctx);

#endif
