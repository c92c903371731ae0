// SPDX-License-Identifier: GPL-2.0-only
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "source/snapshot.h"

static int cmp_tid(const void *a, const void *b)
{
	const struct snap_thread *x = a, *y = b;

	return (x->tid > y->tid) - (x->tid < y->tid);
}

static int cmp_pid(const void *a, const void *b)
{
	const struct snap_proc *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static pid_t parse_pid(const char *s)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return 0;
	v = strtol(s, &end, 10);
	return (*end || v <= 0 || v > 0x7fffffff) ? 0 : (pid_t)v;
}

/* Read the whole (small) file @name under @dirfd into @buf. */
static ssize_t read_small(int dirfd, const char *name, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0)
		n = -errno;
	else
		buf[n] = '\0';
	close(fd);
	return n;
}

/* ppid from /proc/PID/stat; comm may hold ')' so parse after the last. */
static pid_t read_ppid(int piddir)
{
	char buf[512], *p;
	int ppid;

	if (read_small(piddir, "stat", buf, sizeof(buf)) <= 0)
		return 0;
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return 0;
	return ppid;
}

void snapshot_read_comm(int dirfd, const char *path,
			char comm[NSTAINT_COMM_LEN])
{
	char buf[NSTAINT_COMM_LEN + 1];
	ssize_t n = read_small(dirfd, path, buf, sizeof(buf));

	if (n <= 0) {
		comm[0] = '\0';
		return;
	}
	/* The kernel appends exactly one '\n'; anything else is the name. */
	if (buf[n - 1] == '\n')
		n--;
	if (n > NSTAINT_COMM_LEN - 1)
		n = NSTAINT_COMM_LEN - 1;
	memcpy(comm, buf, n);
	comm[n] = '\0';
}

/* Read one process's threads (their comm too if @comm).  Returns 0,
 * -ENOENT if it vanished, or another negative errno (e.g. -EACCES) if it
 * cannot be read.  Per thread: the ns directory opened O_PATH straight
 * from the task directory, eight readlinks in it, and the comm file: no
 * per-thread directory fd. */
static int read_proc(int procfd, pid_t pid, struct snap_proc *p, bool comm)
{
	char path[48];
	struct dirent *de;
	size_t cap = 0;
	int piddir, taskdir, err = 0;
	DIR *d;

	memset(p, 0, sizeof(*p));
	p->pid = pid;
	snprintf(path, sizeof(path), "%d", pid);
	piddir = openat(procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (piddir < 0)
		return -errno;
	p->ppid = read_ppid(piddir);
	taskdir = openat(piddir, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (taskdir < 0) {
		err = -errno;
		goto close_piddir;
	}
	d = fdopendir(taskdir);
	if (!d) {
		err = -errno;
		close(taskdir);
		goto close_piddir;
	}
	while ((de = readdir(d))) {
		struct snap_thread *t;
		pid_t tid = parse_pid(de->d_name);
		int nsfd, r;

		if (!tid)
			continue;
		if (p->nthreads == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			void *n = realloc(p->threads, ncap * sizeof(*t));

			if (!n) {
				err = -ENOMEM;
				break;
			}
			p->threads = n;
			cap = ncap;
		}
		t = &p->threads[p->nthreads];
		memset(t, 0, sizeof(*t));
		t->tid = tid;
		snprintf(path, sizeof(path), "%d/ns", tid);
		nsfd = openat(taskdir, path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (nsfd < 0)
			continue;	/* exited since readdir */
		r = ns_set_read_dir(nsfd, &t->ns);
		close(nsfd);
		if (r == 0 && comm) {
			snprintf(path, sizeof(path), "%d/comm", tid);
			snapshot_read_comm(taskdir, path, t->comm);
		}
		if (r == -ENOENT || r == -ESRCH)
			continue;	/* exited, or a zombie without nsproxy */
		if (r < 0) {
			err = r;
			break;
		}
		p->nthreads++;
	}
	closedir(d);
	if (!err && p->nthreads == 0)
		err = -ENOENT;	/* every thread exited under us */
	if (!err)
		qsort(p->threads, p->nthreads, sizeof(*p->threads), cmp_tid);
close_piddir:
	close(piddir);
	if (err) {
		free(p->threads);
		p->threads = NULL;
		p->nthreads = 0;
	}
	return err;
}

void home_set_choose(const struct snap_proc *p, const struct ns_set *parent,
		     struct ns_set *home)
{
	size_t i, j, best = 0, best_n = 0, ntied = 0;
	size_t *votes;

	memset(home, 0, sizeof(*home));
	if (p->nthreads == 0)
		return;
	votes = calloc(p->nthreads, sizeof(*votes));
	if (!votes) {
		*home = p->threads[0].ns;
		return;
	}
	/* O(n^2) in threads with distinct sets is fine: a process has few
	 * distinct sets, and we count each once (at its first thread). */
	for (i = 0; i < p->nthreads; i++) {
		for (j = 0; j < i; j++)
			if (votes[j] &&
			    ns_set_equal(&p->threads[j].ns, &p->threads[i].ns))
				break;
		if (j < i) {
			votes[j]++;
			continue;
		}
		votes[i] = 1;
	}
	for (i = 0; i < p->nthreads; i++) {
		if (votes[i] > best_n) {
			best_n = votes[i];
			best = i;
			ntied = 1;
		} else if (votes[i] && votes[i] == best_n) {
			ntied++;
		}
	}
	*home = p->threads[best].ns;
	if (ntied > 1) {
		/* Tie: the parent's set, if it is one of the tied ones. */
		for (i = 0; parent && i < p->nthreads; i++)
			if (votes[i] == best_n &&
			    ns_set_equal(&p->threads[i].ns, parent)) {
				*home = p->threads[i].ns;
				goto out;
			}
		/* Then the leader's (tid == pid), when it is still there. */
		for (i = 0; i < p->nthreads; i++)
			if (p->threads[i].tid == p->pid) {
				*home = p->threads[i].ns;
				break;
			}
	}
out:
	free(votes);
}

static struct snap_proc *find_proc(struct snapshot *s, pid_t pid)
{
	struct snap_proc key = { .pid = pid };

	return bsearch(&key, s->procs, s->nprocs, sizeof(key), cmp_pid);
}

/* The parent's own home set (by majority and leader only: going further
 * up the tree for the parent's own ties buys nothing in practice). */
static int parent_set(struct snapshot *s, int procfd, pid_t ppid,
		      struct ns_set *out)
{
	struct snap_proc tmp, *pp;

	if (ppid <= 0)
		return -ENOENT;
	pp = find_proc(s, ppid);
	if (pp && !pp->err) {
		home_set_choose(pp, NULL, out);
		return 0;
	}
	if (pp || procfd < 0 || read_proc(procfd, ppid, &tmp, false))
		return -ENOENT;
	home_set_choose(&tmp, NULL, out);
	free(tmp.threads);
	return 0;
}

void snapshot_homes(struct snapshot *s, int procfd)
{
	size_t i, j;

	qsort(s->procs, s->nprocs, sizeof(*s->procs), cmp_pid);
	for (i = 0; i < s->nprocs; i++) {
		struct snap_proc *p = &s->procs[i];
		struct ns_set parent;
		int have_parent;

		if (p->err)
			continue;
		have_parent = parent_set(s, procfd, p->ppid, &parent) == 0;
		home_set_choose(p, have_parent ? &parent : NULL, &p->home);
		for (j = 0; j < p->nthreads; j++)
			p->threads[j].tainted_mask =
				ns_set_diff(&p->threads[j].ns, &p->home);
	}
}

/* The comm of each tainted thread, read after the scan (SNAP_COMM_TAINTED);
 * a thread gone since keeps an empty name, as one gone during the scan. */
static void read_tainted_comms(struct snapshot *s, int procfd)
{
	char path[64];
	size_t i, j;

	for (i = 0; i < s->nprocs; i++)
		for (j = 0; j < s->procs[i].nthreads; j++) {
			struct snap_thread *t = &s->procs[i].threads[j];

			if (!t->tainted_mask)
				continue;
			snprintf(path, sizeof(path), "%d/task/%d/comm",
				 s->procs[i].pid, t->tid);
			snapshot_read_comm(procfd, path, t->comm);
		}
}

int snapshot_take(struct snapshot *s, const char *procfs, pid_t only)
{
	return snapshot_take_flags(s, procfs, only, 0);
}

/* Every pid under /proc, or just @only, into *@pids (malloc'd). */
static int list_pids(const char *procfs, pid_t only, pid_t **pids, size_t *n)
{
	size_t cap = 256;
	struct dirent *de;
	DIR *d;

	*n = 0;
	*pids = malloc(cap * sizeof(**pids));
	if (!*pids)
		return -ENOMEM;
	if (only) {
		(*pids)[(*n)++] = only;
		return 0;
	}
	d = opendir(procfs);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		pid_t pid = parse_pid(de->d_name);

		if (!pid)
			continue;
		if (*n == cap) {
			void *m = realloc(*pids, 2 * cap * sizeof(**pids));

			if (!m) {
				closedir(d);
				return -ENOMEM;
			}
			*pids = m;
			cap *= 2;
		}
		(*pids)[(*n)++] = pid;
	}
	closedir(d);
	return 0;
}

/*
 * The processes are read by a few threads at once: the scan is system
 * calls that take no lock another one waits for, so on an idle machine it
 * ends as many times sooner as there are CPUs to run them (capped: a host
 * has few enough processes per thread for four).
 */
#define SCAN_THREADS_MAX 4

struct scan {
	int procfd;
	bool comm;
	const pid_t *pids;
	size_t n;
	struct snap_proc *procs;	/* [n] */
	int *ret;			/* [n]: read_proc()'s answer */
	size_t next;			/* the next index to take */
};

static void *scan_worker(void *arg)
{
	struct scan *sc = arg;
	size_t i;

	while ((i = __atomic_fetch_add(&sc->next, 1, __ATOMIC_RELAXED)) < sc->n)
		sc->ret[i] = read_proc(sc->procfd, sc->pids[i], &sc->procs[i],
				       sc->comm);
	return NULL;
}

static void scan_all(struct scan *sc)
{
	pthread_t th[SCAN_THREADS_MAX - 1];
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int i, nth = 0;

	if (ncpu > SCAN_THREADS_MAX)
		ncpu = SCAN_THREADS_MAX;
	/* Fewer helpers when they cannot be made: the caller scans too. */
	for (i = 0; i + 1 < ncpu && (size_t)i + 1 < sc->n; i++)
		if (!pthread_create(&th[nth], NULL, scan_worker, sc))
			nth++;
	scan_worker(sc);
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
}

int snapshot_take_flags(struct snapshot *s, const char *procfs, pid_t only,
			unsigned int flags)
{
	struct scan sc = { .comm = !(flags & SNAP_COMM_TAINTED) };
	pid_t *pids = NULL;
	size_t i, n = 0;
	int err;

	memset(s, 0, sizeof(*s));
	sc.procfd = open(procfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sc.procfd < 0)
		return -errno;
	err = list_pids(procfs, only, &pids, &n);
	if (err)
		goto out;
	sc.pids = pids;
	sc.n = n;
	s->procs = calloc(n ?: 1, sizeof(*s->procs));
	sc.ret = calloc(n ?: 1, sizeof(*sc.ret));
	if (!s->procs || !sc.ret) {
		err = -ENOMEM;
		goto out;
	}
	sc.procs = s->procs;
	scan_all(&sc);

	/* In pid order, as read: drop the vanished, mark the unreadable. */
	for (i = 0; i < n; i++) {
		struct snap_proc *p = &s->procs[s->nprocs];
		int r = sc.ret[i];

		if (r == -ENOENT || r == -ESRCH) {
			if (only)
				err = -ESRCH;
			continue;
		}
		if (r == -ENOMEM && !err)
			err = r;
		*p = s->procs[i];
		if (r < 0) {
			/* Keep it, marked, so callers can say what they
			 * could not read. */
			p->err = -r;
			if (!s->unreadable++)
				s->first_err = -r;
		}
		s->nprocs++;
	}
	if (err)
		goto out;
	snapshot_homes(s, sc.procfd);
	if (flags & SNAP_COMM_TAINTED)
		read_tainted_comms(s, sc.procfd);
out:
	free(pids);
	free(sc.ret);
	close(sc.procfd);
	if (err)
		snapshot_free(s);
	return err;
}

void snapshot_free(struct snapshot *s)
{
	size_t i;

	for (i = 0; i < s->nprocs; i++)
		free(s->procs[i].threads);
	free(s->procs);
	memset(s, 0, sizeof(*s));
}
