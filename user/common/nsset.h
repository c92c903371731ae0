/* SPDX-License-Identifier: GPL-2.0-only */
/* A thread's namespace set: one inode per enum nstaint_ns. */
#ifndef NSTAINT_NSSET_H
#define NSTAINT_NSSET_H

#include <stdbool.h>
#include <nstaint/events.h>

struct ns_set {
	__u32 ino[NSTAINT_NS_COUNT];
};

/* Short names used in text and JSON output ("time" is time_for_children,
 * "pid" is pid_for_children). */
extern const char *const ns_names[NSTAINT_NS_COUNT];

/*
 * Read the namespace set of the task whose /proc directory is open as
 * @taskfd (/proc/PID/task/TID).  Returns 0, or a negative errno:
 * -ENOENT/-ESRCH when the task is gone (reaped during the call too),
 * -EACCES when we may not look.
 * A type this kernel does not have is left 0.
 */
int ns_set_read(int taskfd, struct ns_set *out);

/* The same from the task's ns directory (/proc/PID/task/TID/ns) open as
 * @nsfd (O_PATH is enough): the fast path of a whole-/proc scan. */
int ns_set_read_dir(int nsfd, struct ns_set *out);

/* Bit per type where @a and @b differ; types unknown (0) in either
 * set never count as different. */
unsigned int ns_set_diff(const struct ns_set *a, const struct ns_set *b);

static inline bool ns_set_equal(const struct ns_set *a, const struct ns_set *b)
{
	return ns_set_diff(a, b) == 0;
}

#endif
