// SPDX-License-Identifier: GPL-2.0-only
/*
 * Locking tasks to threads, and keeping namespace changes from leaking.
 *
 * Go 1.10 rules: mn_lock_thread nests; a task that returns while locked
 * takes its thread with it (the thread exits, whatever state it is in);
 * new threads come only from the template thread (proc.c).
 *
 * Better than Go: the outermost mn_unlock_thread compares the thread's
 * namespace set with the one it had when it was created.  If they differ
 * the thread is retired (exits) instead of going back to the pool, with a
 * one-line warning that names the task and the namespaces.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/nsfs.h>
#include <unistd.h>

#include "internal.h"
#include "ring.h"

void mn_lock_thread(void)
{
	struct mn_m *m = mn_getm();
	struct mn_g *g = m ? m->curg : NULL;

	if (!g)
		mn_fatal_outside("mn_lock_thread called outside a task");
	if (g->lockcount == INT32_MAX)
		mn_fatal_g(g, MN_RING_ERR_OTHER, "mn_lock_thread: lock count overflow");
	if (g->lockcount++ == 0) {
		m->lockedg = g;
		g->lockedm = m;
	}
	mn_m_publish(m, g->id, g->lockcount);
	MN_PROBE3(thread_lock, m->tid, g->id, g->lockcount);
}

int mn_thread_locked(void)
{
	struct mn_g *g = mn_getg();

	return g ? g->lockcount : 0;
}

/* Text like "net 4026531840->4026532281, uts ..." for the warning. */
static void ns_diff_text(const struct ns_set *a, const struct ns_set *b, unsigned int mask,
			 char *buf, size_t len)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < NSTAINT_NS_COUNT && off < len; i++) {
		if (!(mask & NSTAINT_NS_BIT(i)))
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%s%s %u->%u", off ? ", " : "",
					ns_names[i], a->ino[i], b->ino[i]);
	}
}

void mn_unlock_thread(void)
{
	struct mn_m *m = mn_getm();
	struct mn_g *g = m ? m->curg : NULL;
	struct ns_set now;
	unsigned int diff = 0;
	char text[256];
	int fd;

	if (!g || g->lockcount == 0)
		return;		/* like Go: unlocking an unlocked task is a no-op */
	if (--g->lockcount > 0) {
		mn_m_publish(m, g->id, g->lockcount);
		MN_PROBE3(thread_unlock, m->tid, g->id, g->lockcount);
		return;
	}
	fd = open("/proc/thread-self", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0 && m->home_ok && ns_set_read(fd, &now) == 0)
		diff = ns_set_diff(&m->home, &now);
	if (fd >= 0)
		close(fd);
	MN_PROBE3(thread_unlock, m->tid, g->id, 0);
	if (diff || m->tainted) {
		if (diff)
			ns_diff_text(&m->home, &now, diff, text, sizeof(text));
		else
			snprintf(text, sizeof(text), "entered with mn_ns_do");
		fprintf(stderr, "libmn: task %llu (created at %s:%d) unlocked thread %d in other namespaces (%s): retiring the thread\n",
			(unsigned long long)g->id, g->file ? g->file : "?", g->line, (int)m->tid, text);
		MN_PROBE3(thread_retire, m->tid, g->id, diff);
		/* No difference (mn_ns_do's thread): @now may be unread. */
		mn_ring_retired(g->id, (int)m->tid, &m->home, diff ? &now : &m->home, diff);
		mn_mcall(ACT_RETIRE);	/* resumes on another, clean thread */
		return;
	}
	m->lockedg = NULL;
	g->lockedm = NULL;
	mn_m_publish(m, g->id, 0);
}

/* ---- mn_ns_do ---- */

struct nsdo {
	int fd;
	int nstype;
	int (*fn)(void *);
	void *arg;
	int ret;
	mn_sem done;
};

static void nsdo_task(void *a)
{
	struct nsdo *d = a;
	int type = d->nstype;

	mn_lock_thread();
	/* This thread is never reused, whatever happens below: it exits
	 * when this task returns still locked. */
	mn_getm()->tainted = true;
	if (type == 0) {
		int t = ioctl(d->fd, NS_GET_NSTYPE);

		if (t > 0)
			type = t;
	}
	if (type == CLONE_NEWNS && unshare(CLONE_FS) < 0) {
		d->ret = -errno;
	} else if (setns(d->fd, d->nstype) < 0) {
		d->ret = -errno;
	} else {
		d->ret = d->fn(d->arg);
	}
	mn_sem_release(&d->done);
	/* return while locked: Go 1.10 semantics retire the thread */
}

int mn_ns_do(int nsfd, int nstype, int (*fn)(void *), void *arg)
{
	struct nsdo d = { .fd = nsfd, .nstype = nstype, .fn = fn, .arg = arg };

	if (!mn_getg())
		return -EPERM;
	mn_sem_init(&d.done, 0);
	mn_go(nsdo_task, &d);
	mn_sem_acquire(&d.done);
	return d.ret;
}

int mn_ns_do_path(const char *path, int nstype, int (*fn)(void *), void *arg)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = mn_ns_do(fd, nstype, fn, arg);
	close(fd);
	return ret;
}
