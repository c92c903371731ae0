/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the nstaint.ko selftests (selftests/kmod/kmod_*.c).
 * They run inside the 6.1 VM (scripts/vm-run) as root, with the module
 * at /nstaint.ko, and load and unload it themselves.
 */
#ifndef KMOD_LIB_H
#define KMOD_LIB_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <nstaint/events.h>
#include <nstaint/dev.h>

#define KMOD_KO		"/nstaint.ko"
#define KMOD_PARAMS	"/sys/module/nstaint/parameters/"

/* finit_module with @params; 0 or -errno. */
static inline int kmod_load(const char *params)
{
	int fd = open(KMOD_KO, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return ret;
}

/* delete_module without waiting; 0 or -errno (EWOULDBLOCK: in use). */
static inline int kmod_unload(void)
{
	return syscall(SYS_delete_module, "nstaint", O_NONBLOCK) ? -errno : 0;
}

/* A statistic from /sys/module/nstaint/parameters/, -1 if unreadable. */
static inline long long kmod_param(const char *name)
{
	char path[128];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), KMOD_PARAMS "%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static inline unsigned int kmod_ino(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : (unsigned int)st.st_ino;
}

/* The inode of namespace @ns ("net", "uts", ...) of thread @tid of us. */
static inline unsigned int kmod_thread_ns(pid_t tid, const char *ns)
{
	char p[64];

	snprintf(p, sizeof(p), "/proc/self/task/%d/ns/%s", tid, ns);
	return kmod_ino(p);
}

/*
 * Read records from @fd (O_NONBLOCK) until @want came or @ms passed with
 * nothing new; a thread's exit record can follow pthread_join.  Returns
 * the number read (at most @max).
 */
static inline int kmod_read_n(int fd, struct nstaint_event *ev, int max,
			      int want, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int n = 0;
	ssize_t r;

	while (n < max) {
		r = read(fd, ev + n, (max - n) * sizeof(*ev));
		if (r > 0) {
			n += r / sizeof(*ev);
			continue;
		}
		if (n >= want || poll(&pfd, 1, ms) != 1)
			break;
	}
	return n;
}

/* Records of @type (and of thread @tid, when not 0) among @n. */
static inline int kmod_count(const struct nstaint_event *ev, int n, int type,
			     pid_t tid)
{
	int i, c = 0;

	for (i = 0; i < n; i++)
		if (ev[i].type == type && (!tid || ev[i].tid == (__u32)tid))
			c++;
	return c;
}

/* The first record of @type of thread @tid, or NULL. */
static inline const struct nstaint_event *
kmod_find(const struct nstaint_event *ev, int n, int type, pid_t tid)
{
	int i;

	for (i = 0; i < n; i++)
		if (ev[i].type == type && ev[i].tid == (__u32)tid)
			return &ev[i];
	return NULL;
}

#endif /* KMOD_LIB_H */
