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

/*
 * Whether @dir/@name under @pid's root is a libmn with its probes.  The
 * process chose the path (its RPATH, its root): only a regular file is
 * ever opened for reading, so a device node or fifo planted there is
 * never opened.
 */
static bool try_file(pid_t pid, const char *dir, size_t dirlen,
		     const char *name, struct mn_proc *out)
{
	char file[PATH_MAX + 32], self[64];
	struct mn_elf el;
	struct stat st;
	Elf *elf;
	int pfd, fd;

	if (snprintf(file, sizeof(file), "/proc/%d/root%.*s/%s", pid,
		     (int)dirlen, dir, name) >= (int)sizeof(file))
		return false;
	pfd = open(file, O_PATH | O_CLOEXEC);
	if (pfd < 0)
		return false;
	if (fstat(pfd, &st) || !S_ISREG(st.st_mode)) {
		close(pfd);
		return false;
	}
	snprintf(self, sizeof(self), "/proc/self/fd/%d", pfd);
	fd = open(self, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	close(pfd);
	if (fd < 0)
		return false;
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

void mnattr_needed_parse(Elf *elf, struct mn_needed *nd)
{
	Elf_Scn *scn = NULL;
	const char *s;
	GElf_Shdr sh;
	GElf_Dyn dyn;
	Elf_Data *d;

	memset(nd, 0, sizeof(*nd));
	while (elf && (scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_DYNAMIC)
			break;
	d = scn ? elf_getdata(scn, NULL) : NULL;
	for (size_t i = 0; d && sh.sh_entsize && i < sh.sh_size / sh.sh_entsize; i++) {
		if (!gelf_getdyn(d, i, &dyn))
			break;
		if (dyn.d_tag != DT_NEEDED && dyn.d_tag != DT_RUNPATH &&
		    dyn.d_tag != DT_RPATH)
			continue;
		s = elf_strptr(elf, sh.sh_link, dyn.d_un.d_val);
		if (!s)
			continue;
		if (dyn.d_tag == DT_RUNPATH)
			nd->runpath = s;
		else if (dyn.d_tag == DT_RPATH)
			nd->rpath = s;
		else if (!strncmp(s, "libmn", 5) && strstr(s, ".so") &&
			 !strchr(s, '/') && nd->n < MN_NEEDED_MAX)
			nd->name[nd->n++] = s;
	}
}

int mnattr_needed(pid_t pid, struct mn_proc *out)
{
	char exe[64], origin[PATH_MAX], ldpath[4096], *slash;
	const char *rpath, *runpath;
	struct mn_needed nd;
	size_t i, k;
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
	slash = strrchr(origin, '/');	/* the kernel's absolute path */
	if (!slash)
		return -ENOENT;
	*slash = 0;
	fd = open(exe, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	mnattr_needed_parse(elf, &nd);
	rpath = nd.rpath;
	runpath = nd.runpath;
	ld_library_path(pid, ldpath, sizeof(ldpath));
	for (k = 0; k < nd.n && ret; k++) {
		const char *name = nd.name[k];

		if ((!runpath && rpath && try_list(pid, rpath, origin, name, out)) ||
		    try_list(pid, ldpath, origin, name, out) ||
		    (runpath && try_list(pid, runpath, origin, name, out))) {
			ret = 0;
			break;
		}
		for (i = 0; i < sizeof(default_dirs) / sizeof(default_dirs[0]); i++)
			if (try_file(pid, default_dirs[i], strlen(default_dirs[i]),
				     name, out)) {
				ret = 0;
				break;
			}
	}
	elf_end(elf);
	close(fd);
	return ret;
}
