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

/*
 * A process's threads are read in two steps, so that the threads of one
 * large process can be read by several scan threads (scan_all):
 * list_threads (ppid, the tids in the task directory), read_thread for
 * each tid (the task directory opened once per SCAN_CHUNK threads), then
 * finish_threads.  Per thread: the ns directory opened O_PATH straight
 * from the task directory, eight readlinks in it, and the comm file; no
 * directory fd is held between the steps.
 */

/* ppid and the listed tids of @pid into @p.  0 or a negative errno. */
static int list_threads(int procfd, pid_t pid, struct snap_proc *p)
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
	close(piddir);
	if (taskdir < 0)
		return -errno;
	d = fdopendir(taskdir);
	if (!d) {
		err = -errno;
		close(taskdir);
		return err;
	}
	while ((de = readdir(d))) {
		pid_t tid = parse_pid(de->d_name);

		if (!tid)
			continue;
		if (p->nthreads == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			void *n = realloc(p->threads,
					  ncap * sizeof(*p->threads));

			if (!n) {
				err = -ENOMEM;
				break;
			}
			p->threads = n;
			cap = ncap;
		}
		memset(&p->threads[p->nthreads], 0, sizeof(p->threads[0]));
		p->threads[p->nthreads++].tid = tid;
	}
	closedir(d);
	if (err) {
		free(p->threads);
		p->threads = NULL;
		p->nthreads = 0;
	}
	return err;
}

/* /proc/PID/task as a directory fd (O_PATH), or -1: the process is gone. */
static int open_taskdir(int procfd, pid_t pid)
{
	char path[32];

	snprintf(path, sizeof(path), "%d/task", pid);
	return openat(procfd, path, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/* Thread @t in @taskdir (-1: gone): its set (and comm if @comm).  0,
 * -ENOENT or -ESRCH if it exited (or is a zombie without nsproxy), or
 * another -errno. */
static int read_thread(int taskdir, struct snap_thread *t, bool comm)
{
	char path[32];
	int nsfd, r;

	if (taskdir < 0)
		return -ENOENT;
	snprintf(path, sizeof(path), "%d/ns", t->tid);
	nsfd = openat(taskdir, path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (nsfd < 0)
		return -ENOENT;		/* exited since readdir */
	r = ns_set_read_dir(nsfd, &t->ns);
	close(nsfd);
	if (r == 0 && comm) {
		snprintf(path, sizeof(path), "%d/comm", t->tid);
		snapshot_read_comm(taskdir, path, t->comm);
	}
	return r;
}

/* Keep the threads read (@ret[i] == 0), in tid order.  0, -ENOENT if
 * none is left, or the first thread's error other than an exit. */
static int finish_threads(struct snap_proc *p, const int *ret)
{
	size_t i, n = 0;
	int err = 0;

	for (i = 0; i < p->nthreads && !err; i++) {
		if (ret[i] == -ENOENT || ret[i] == -ESRCH)
			continue;
		if (ret[i] < 0)
			err = ret[i];
		else
			p->threads[n++] = p->threads[i];
	}
	p->nthreads = n;
	if (!err && !n)
		err = -ENOENT;	/* every thread exited under us */
	if (!err)
		qsort(p->threads, n, sizeof(*p->threads), cmp_tid);
	if (err) {
		free(p->threads);
		p->threads = NULL;
		p->nthreads = 0;
	}
	return err;
}

/* Read one process's threads (their comm too if @comm), on this thread.
 * Returns 0, -ENOENT if it vanished, or another negative errno (e.g.
 * -EACCES) if it cannot be read. */
static int read_proc(int procfd, pid_t pid, struct snap_proc *p, bool comm)
{
	int *ret, taskdir, err = list_threads(procfd, pid, p);
	size_t i;

	if (err)
		return err;
	ret = calloc(p->nthreads ?: 1, sizeof(*ret));
	if (!ret) {
		free(p->threads);
		memset(p, 0, sizeof(*p));
		return -ENOMEM;
	}
	taskdir = open_taskdir(procfd, pid);
	for (i = 0; i < p->nthreads; i++)
		ret[i] = read_thread(taskdir, &p->threads[i], comm);
	if (taskdir >= 0)
		close(taskdir);
	err = finish_threads(p, ret);
	free(ret);
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
 * has few enough processes per thread for four).  First each process's
 * tids are listed (work: one process), then the threads are read (work:
 * SCAN_CHUNK threads of one process), so that one process of 10,000
 * threads is read by every scan thread, not by one.
 */
#define SCAN_THREADS_MAX 4
#define SCAN_CHUNK	64

struct scan_chunk {
	size_t proc;			/* index into procs */
	size_t first, end;		/* threads [first, end) */
};

struct scan {
	int procfd;
	bool comm;
	const pid_t *pids;
	size_t n;
	struct snap_proc *procs;	/* [n] */
	int *ret;			/* [n]: the process's answer */
	int **tret;			/* [n]: each thread's answer */
	struct scan_chunk *chunks;
	size_t nchunks;
	bool threads;			/* the step: false lists, true reads */
	size_t next;			/* the next work item to take */
};

static void scan_item(struct scan *sc, size_t i)
{
	const struct scan_chunk *c = &sc->chunks[i];
	struct snap_proc *p;
	int taskdir;
	size_t j;

	if (!sc->threads) {
		sc->ret[i] = list_threads(sc->procfd, sc->pids[i],
					  &sc->procs[i]);
		return;
	}
	p = &sc->procs[c->proc];
	taskdir = open_taskdir(sc->procfd, p->pid);
	for (j = c->first; j < c->end; j++)
		sc->tret[c->proc][j] = read_thread(taskdir, &p->threads[j],
						   sc->comm);
	if (taskdir >= 0)
		close(taskdir);
}

static void *scan_worker(void *arg)
{
	struct scan *sc = arg;
	size_t n = sc->threads ? sc->nchunks : sc->n, i;

	while ((i = __atomic_fetch_add(&sc->next, 1, __ATOMIC_RELAXED)) < n)
		scan_item(sc, i);
	return NULL;
}

/* One step's work items, shared between this thread and a few others. */
static void scan_step(struct scan *sc, size_t nitems)
{
	pthread_t th[SCAN_THREADS_MAX - 1];
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int i, nth = 0;

	sc->next = 0;
	if (ncpu > SCAN_THREADS_MAX)
		ncpu = SCAN_THREADS_MAX;
	/* Fewer helpers when they cannot be made: the caller scans too. */
	for (i = 0; i + 1 < ncpu && (size_t)i + 1 < nitems; i++)
		if (!pthread_create(&th[nth], NULL, scan_worker, sc))
			nth++;
	scan_worker(sc);
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
}

/* Cut the listed processes' threads into chunks; 0 or -ENOMEM. */
static int scan_chunks(struct scan *sc)
{
	size_t i, j, n = 0;

	for (i = 0; i < sc->n; i++)
		if (!sc->ret[i])
			n += (sc->procs[i].nthreads + SCAN_CHUNK - 1) /
			     SCAN_CHUNK;
	sc->chunks = calloc(n ?: 1, sizeof(*sc->chunks));
	if (!sc->chunks)
		return -ENOMEM;
	for (i = 0; i < sc->n; i++) {
		size_t nt = sc->procs[i].nthreads;

		if (sc->ret[i])
			continue;
		sc->tret[i] = calloc(nt ?: 1, sizeof(**sc->tret));
		if (!sc->tret[i])
			return -ENOMEM;
		for (j = 0; j < nt; j += SCAN_CHUNK)
			sc->chunks[sc->nchunks++] = (struct scan_chunk){
				i, j, j + SCAN_CHUNK < nt ? j + SCAN_CHUNK : nt
			};
	}
	return 0;
}

/* List, then read the threads, then each process's answer in sc->ret. */
static int scan_all(struct scan *sc)
{
	size_t i;
	int err;

	sc->threads = false;
	scan_step(sc, sc->n);
	err = scan_chunks(sc);
	if (!err) {
		sc->threads = true;
		scan_step(sc, sc->nchunks);
	}
	for (i = 0; i < sc->n; i++) {
		if (!sc->ret[i] && !err)
			sc->ret[i] = finish_threads(&sc->procs[i], sc->tret[i]);
		else if (!sc->ret[i]) {
			free(sc->procs[i].threads);
			sc->procs[i].threads = NULL;
			sc->procs[i].nthreads = 0;
			sc->ret[i] = err;
		}
		free(sc->tret[i]);
	}
	free(sc->chunks);
	return err;
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
	sc.tret = calloc(n ?: 1, sizeof(*sc.tret));
	if (!s->procs || !sc.ret || !sc.tret) {
		err = -ENOMEM;
		goto out;
	}
	sc.procs = s->procs;
	scan_all(&sc);	/* -ENOMEM is in sc.ret too */

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
	free(sc.tret);
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
