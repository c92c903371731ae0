// SPDX-License-Identifier: GPL-2.0-only
/*
 * A snapshot from one read of an iter/task program: every thread's
 * namespace set, comm, tgid and its leader's parent, then the same home
 * set rule as the /proc scan (snapshot_homes), so both give one answer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "source/snapshot_iter.h"
#include <nstaint/taskns_iter.h>
#include "taskns_iter.lskel.h"

const char *const snap_from_names[SNAP_FROM_COUNT] = {
	[SNAP_FROM_AUTO] = "auto",
	[SNAP_FROM_BPF] = "bpf",
	[SNAP_FROM_PROC] = "proc",
};

bool snap_from_parse(const char *s, enum snap_from *out)
{
	int i;

	for (i = 0; i < SNAP_FROM_COUNT; i++)
		if (!strcmp(s, snap_from_names[i])) {
			*out = i;
			return true;
		}
	return false;
}

/* Every record of the iterator into *@out (malloc'd), their count to *@n. */
static int iter_read(struct taskns_rec **out, size_t *n)
{
	struct taskns_iter_bpf *skel;
	size_t cap = 1 << 20, len = 0;
	char *buf = NULL;
	int fd = -1, err;
	ssize_t r;

	skel = taskns_iter_bpf__open_and_load();
	if (!skel)
		return errno ? -errno : -ENOTSUP;
	err = taskns_iter_bpf__attach(skel);
	if (err)
		goto out;
	fd = bpf_iter_create(skel->links.taskns_dump_fd);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	buf = malloc(cap);
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		if (cap - len < 64 * 1024) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				err = -ENOMEM;
				goto out;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			goto out;
		}
		if (r == 0)
			break;
		len += r;
	}
	if (len % sizeof(struct taskns_rec)) {
		err = -EPROTO;	/* a program of another build */
		goto out;
	}
	*out = (struct taskns_rec *)buf;
	*n = len / sizeof(struct taskns_rec);
	buf = NULL;
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	taskns_iter_bpf__destroy(skel);
	return err;
}

static int cmp_rec(const void *a, const void *b)
{
	const struct taskns_rec *x = a, *y = b;

	if (x->tgid != y->tgid)
		return (x->tgid > y->tgid) - (x->tgid < y->tgid);
	return (x->tid > y->tid) - (x->tid < y->tid);
}

/*
 * /proc/PID/task/TID/comm of a kernel thread: the kernel names workqueue
 * workers by what they run and long kthread names in full there, not
 * task->comm.  There are few kernel threads; a vanished one keeps the
 * iterator's name.
 */
static void kthread_comm(int procfd, pid_t pid, pid_t tid, char *comm)
{
	char path[64], name[NSTAINT_COMM_LEN];

	snprintf(path, sizeof(path), "%d/task/%d/comm", pid, tid);
	snapshot_read_comm(procfd, path, name);
	if (name[0])
		memcpy(comm, name, NSTAINT_COMM_LEN);
}

/* Group the records, sorted by (tgid, tid), into processes. */
static int build(struct snapshot *s, const struct taskns_rec *r, size_t n)
{
	int procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct snap_proc *p = NULL;
	size_t i, nprocs = 0;

	for (i = 0; i < n; i++)
		nprocs += !i || r[i].tgid != r[i - 1].tgid;
	s->procs = calloc(nprocs ?: 1, sizeof(*s->procs));
	if (!s->procs)
		goto nomem;
	for (i = 0; i < n; i++) {
		struct snap_thread *t;
		size_t k;

		if (!i || r[i].tgid != r[i - 1].tgid) {
			size_t m = i + 1;

			while (m < n && r[m].tgid == r[i].tgid)
				m++;
			p = &s->procs[s->nprocs++];
			p->pid = r[i].tgid;
			p->ppid = r[i].ppid;
			p->threads = calloc(m - i, sizeof(*p->threads));
			if (!p->threads)
				goto nomem;
		}
		/* Every thread reads its leader's parent; the leader's
		 * own record says it as /proc/PID/stat would. */
		if (r[i].tid == r[i].tgid)
			p->ppid = r[i].ppid;
		t = &p->threads[p->nthreads++];
		t->tid = r[i].tid;
		k = strnlen(r[i].comm, NSTAINT_COMM_LEN - 1);
		memcpy(t->comm, r[i].comm, k);
		memcpy(t->ns.ino, r[i].ino, sizeof(t->ns.ino));
		if ((r[i].flags & TASKNS_F_KTHREAD) && procfd >= 0)
			kthread_comm(procfd, p->pid, t->tid, t->comm);
	}
	if (procfd >= 0)
		close(procfd);
	return 0;
nomem:
	if (procfd >= 0)
		close(procfd);
	return -ENOMEM;
}

/* Keep process @only alone in @s; -ESRCH if it is not there. */
static int keep_only(struct snapshot *s, pid_t only)
{
	struct snap_proc keep = { 0 };
	size_t i;
	int found = 0;

	for (i = 0; i < s->nprocs; i++) {
		if (s->procs[i].pid == only) {
			keep = s->procs[i];
			s->procs[i].threads = NULL;
			found = 1;
		}
		free(s->procs[i].threads);
	}
	s->nprocs = found;
	if (found)
		s->procs[0] = keep;
	return found ? 0 : -ESRCH;
}

int snapshot_take_iter(struct snapshot *s, pid_t only)
{
	struct taskns_rec *r = NULL;
	size_t n = 0;
	int err;

	memset(s, 0, sizeof(*s));
	err = iter_read(&r, &n);
	if (err)
		return err;
	qsort(r, n, sizeof(*r), cmp_rec);
	err = build(s, r, n);
	free(r);
	if (!err) {
		/* Every process is in @s: no parent is read from /proc. */
		snapshot_homes(s, -1);
		if (only)
			err = keep_only(s, only);
	}
	if (err)
		snapshot_free(s);
	return err;
}

int snapshot_take_from(struct snapshot *s, enum snap_from from,
		       const char *procfs, pid_t only, unsigned int flags,
		       enum snap_from *used, int *bpf_err)
{
	int err;

	if (bpf_err)
		*bpf_err = 0;
	if (from == SNAP_FROM_BPF ||
	    (from == SNAP_FROM_AUTO && !strcmp(procfs, "/proc"))) {
		err = snapshot_take_iter(s, only);
		/* A missing process is an answer, not a reason to retry. */
		if (!err || err == -ESRCH || from == SNAP_FROM_BPF) {
			*used = SNAP_FROM_BPF;
			return err;
		}
		if (bpf_err)
			*bpf_err = err;
	}
	*used = SNAP_FROM_PROC;
	return snapshot_take_flags(s, procfs, only, flags);
}

int snapshot_take_seed(struct snapshot *s)
{
	enum snap_from used;

	return snapshot_take_from(s, SNAP_FROM_AUTO, "/proc", 0,
				  SNAP_COMM_TAINTED, &used, NULL);
}
