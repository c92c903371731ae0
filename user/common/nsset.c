// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nstaint/nsdiff.h>

#include "common/nsset.h"

const char *const ns_names[NSTAINT_NS_COUNT] = {
	[NSTAINT_NS_MNT] = "mnt",
	[NSTAINT_NS_NET] = "net",
	[NSTAINT_NS_UTS] = "uts",
	[NSTAINT_NS_IPC] = "ipc",
	[NSTAINT_NS_USER] = "user",
	[NSTAINT_NS_CGROUP] = "cgroup",
	[NSTAINT_NS_TIME] = "time",
	[NSTAINT_NS_PID] = "pid",
};

/* The link under /proc/PID/task/TID/ns/ of type @i: its short name but
 * for the two whose link names what the thread's children get. */
static const char *ns_link(int i)
{
	if (i == NSTAINT_NS_TIME)
		return "time_for_children";
	if (i == NSTAINT_NS_PID)
		return "pid_for_children";
	return ns_names[i];
}

/* "net:[4026531840]" -> 4026531840, 0 if malformed. */
static __u32 parse_ns_link(const char *s)
{
	const char *p = strchr(s, '[');
	char *end;
	unsigned long v;

	if (!p)
		return 0;
	errno = 0;
	v = strtoul(p + 1, &end, 10);
	if (errno || *end != ']' || v > 0xffffffffUL)
		return 0;
	return (__u32)v;
}

/*
 * readlink(2) rather than stat(2): following an ns link makes the kernel
 * find (or build) the namespace's nsfs dentry, which costs more than
 * printing "net:[4026531840]".  Names relative to an open ns directory
 * walk one path component, not two.
 */
int ns_set_read_dir(int nsfd, struct ns_set *out)
{
	char buf[64];
	ssize_t n;
	int i;

	for (i = 0; i < NSTAINT_NS_COUNT; i++) {
		n = readlinkat(nsfd, ns_link(i), buf, sizeof(buf) - 1);
		if (n < 0) {
			/* Every kernel has a net link: its absence means the
			 * task is gone.  Others may be missing on old kernels. */
			if (errno == ENOENT && i != NSTAINT_NS_NET) {
				out->ino[i] = 0;
				continue;
			}
			/* The kernel answers EACCES, not ENOENT, for the ns
			 * links of a task reaped since we opened its
			 * directory: tell that apart from a real denial. */
			if (errno == EACCES &&
			    faccessat(nsfd, "../stat", F_OK, 0) < 0)
				return -ESRCH;
			return -errno;
		}
		buf[n] = '\0';
		out->ino[i] = parse_ns_link(buf);
	}
	return 0;
}

int ns_set_read(int taskfd, struct ns_set *out)
{
	/* O_PATH: a denial shows at the links (EACCES), as it always did. */
	int nsfd = openat(taskfd, "ns", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int r;

	if (nsfd < 0)
		return -errno;
	r = ns_set_read_dir(nsfd, out);
	close(nsfd);
	return r;
}

unsigned int ns_set_diff(const struct ns_set *a, const struct ns_set *b)
{
	return nstaint_ns_diff(a->ino, b->ino);
}
