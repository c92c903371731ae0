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

/* The links under /proc/PID/task/TID/ns/ that make up the set. */
static const char *const ns_links[NSTAINT_NS_COUNT] = {
	[NSTAINT_NS_MNT] = "ns/mnt",
	[NSTAINT_NS_NET] = "ns/net",
	[NSTAINT_NS_UTS] = "ns/uts",
	[NSTAINT_NS_IPC] = "ns/ipc",
	[NSTAINT_NS_USER] = "ns/user",
	[NSTAINT_NS_CGROUP] = "ns/cgroup",
	[NSTAINT_NS_TIME] = "ns/time_for_children",
	[NSTAINT_NS_PID] = "ns/pid_for_children",
};

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

int ns_set_read(int taskfd, struct ns_set *out)
{
	char buf[64];
	ssize_t n;
	int i;

	for (i = 0; i < NSTAINT_NS_COUNT; i++) {
		n = readlinkat(taskfd, ns_links[i], buf, sizeof(buf) - 1);
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
			    faccessat(taskfd, "stat", F_OK, 0) < 0)
				return -ESRCH;
			return -errno;
		}
		buf[n] = '\0';
		out->ino[i] = parse_ns_link(buf);
	}
	return 0;
}

unsigned int ns_set_diff(const struct ns_set *a, const struct ns_set *b)
{
	return nstaint_ns_diff(a->ino, b->ino);
}
