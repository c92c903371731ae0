// SPDX-License-Identifier: GPL-2.0-only
/*
 * The libmn.so a program will load, found before the loader ran (at its
 * exec, while it is held): its DT_NEEDED names starting "libmn" looked up
 * as ld.so would, in DT_RPATH (without DT_RUNPATH), LD_LIBRARY_PATH (the
 * process's environment), DT_RUNPATH, then the usual library
 * directories; $ORIGIN is the executable's directory.  Not read: the
 * loader's cache (/etc/ld.so.cache) and libraries libmn.so comes in by
 * (a DT_NEEDED of a DT_NEEDED).  Everything is read through the
 * process's root; the file must hold the libmn probes.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "attr/mnattr.h"

static const char *const default_dirs[] = {
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64",
	"/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib",
};

/* Whether @dir/@name under @pid's root is a libmn with its probes. */
static bool try_file(pid_t pid, const char *dir, size_t dirlen,
		     const char *name, struct mn_proc *out)
{
	char file[PATH_MAX + 32];
	struct mn_elf el;
	struct stat st;
	Elf *elf;
	int fd;

	if (snprintf(file, sizeof(file), "/proc/%d/root%.*s/%s", pid,
		     (int)dirlen, dir, name) >= (int)sizeof(file))
		return false;
	fd = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return false;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return false;
	}
	elf = elf_begin(fd, ELF_C_READ, NULL);
	mnattr_inspect_elf(elf, &el);
	elf_end(elf);
	close(fd);
	if (!el.has_usdt)
		return false;
	snprintf(out->usdt_path, sizeof(out->usdt_path), "%s", file);
	out->dev = st.st_dev;
	out->ino = st.st_ino;
	return true;
}

/* Each directory of the ':'-list @list ($ORIGIN: @origin). */
static bool try_list(pid_t pid, const char *list, const char *origin,
		     const char *name, struct mn_proc *out)
{
	char dir[PATH_MAX];
	const char *p = list, *end;
	size_t len;

	while (p && *p) {
		end = strchrnul(p, ':');
		len = end - p;
		if (len >= 7 && !strncmp(p, "$ORIGIN", 7))
			snprintf(dir, sizeof(dir), "%s%.*s", origin,
				 (int)(len - 7), p + 7);
		else if (len >= 9 && !strncmp(p, "${ORIGIN}", 9))
			snprintf(dir, sizeof(dir), "%s%.*s", origin,
				 (int)(len - 9), p + 9);
		else
			snprintf(dir, sizeof(dir), "%.*s", (int)len, p);
		if (dir[0] == '/' && try_file(pid, dir, strlen(dir), name, out))
			return true;
		p = *end ? end + 1 : NULL;
	}
	return false;
}

/* LD_LIBRARY_PATH of @pid into @buf ("" if none). */
static void ld_library_path(pid_t pid, char *buf, size_t len)
{
	char path[64], env[65536];
	ssize_t n;
	int fd;

	buf[0] = 0;
	snprintf(path, sizeof(path), "/proc/%d/environ", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, env, sizeof(env) - 1);
	close(fd);
	if (n <= 0)
		return;
	env[n] = 0;
	for (char *s = env; s < env + n; s += strlen(s) + 1)
		if (!strncmp(s, "LD_LIBRARY_PATH=", 16)) {
			snprintf(buf, len, "%s", s + 16);
			return;
		}
}

int mnattr_needed(pid_t pid, struct mn_proc *out)
{
	const char *needed[8], *runpath = NULL, *rpath = NULL, *s;
	char exe[64], origin[PATH_MAX], ldpath[4096];
	size_t nneeded = 0, i, k;
	GElf_Shdr sh;
	GElf_Dyn dyn;
	Elf_Scn *scn = NULL;
	Elf_Data *d;
	Elf *elf;
	ssize_t n;
	int fd, ret = -ENOENT;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	snprintf(exe, sizeof(exe), "/proc/%d/exe", pid);
	n = readlink(exe, origin, sizeof(origin) - 1);
	if (n <= 0)
		return -errno;
	origin[n] = 0;
	*strrchr(origin, '/') = 0;	/* an absolute path: has one */
	fd = open(exe, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	while (elf && (scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_DYNAMIC)
			break;
	d = scn ? elf_getdata(scn, NULL) : NULL;
	for (i = 0; d && sh.sh_entsize && i < sh.sh_size / sh.sh_entsize; i++) {
		if (!gelf_getdyn(d, i, &dyn))
			break;
		if (dyn.d_tag != DT_NEEDED && dyn.d_tag != DT_RUNPATH &&
		    dyn.d_tag != DT_RPATH)
			continue;
		s = elf_strptr(elf, sh.sh_link, dyn.d_un.d_val);
		if (!s)
			continue;
		if (dyn.d_tag == DT_RUNPATH)
			runpath = s;
		else if (dyn.d_tag == DT_RPATH)
			rpath = s;
		else if (!strncmp(s, "libmn", 5) && strstr(s, ".so") &&
			 !strchr(s, '/') && nneeded < 8)
			needed[nneeded++] = s;
	}
	ld_library_path(pid, ldpath, sizeof(ldpath));
	for (k = 0; k < nneeded && ret; k++) {
		if ((!runpath && rpath && try_list(pid, rpath, origin, needed[k], out)) ||
		    try_list(pid, ldpath, origin, needed[k], out) ||
		    (runpath && try_list(pid, runpath, origin, needed[k], out))) {
			ret = 0;
			break;
		}
		for (i = 0; i < sizeof(default_dirs) / sizeof(default_dirs[0]); i++)
			if (try_file(pid, default_dirs[i], strlen(default_dirs[i]),
				     needed[k], out)) {
				ret = 0;
				break;
			}
	}
	elf_end(elf);
	close(fd);
	return ret;
}
