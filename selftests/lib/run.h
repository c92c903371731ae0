/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Selftest helpers: run a program and capture what it prints, and read a
 * thread's namespace inodes with stat(2) (an oracle independent of the
 * nstaint code under test).  Header-only so each test stays one file.
 */
#ifndef NSTAINT_SELFTEST_RUN_H
#define NSTAINT_SELFTEST_RUN_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct run_result {
	int status;		/* exit status, or 128 + signal */
	char *out;		/* stdout, NUL-terminated (free it) */
	char *err;		/* stderr, NUL-terminated (free it) */
};

/* Path of the nstaint binary under test. */
static inline const char *nstaint_bin(void)
{
	const char *p = getenv("NSTAINT_BIN");

	return p && *p ? p : "build/nstaint";
}

static inline void run_result_free(struct run_result *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

/* Drain both pipes until EOF on each. */
static inline void run_drain(int ofd, int efd, struct run_result *r)
{
	size_t olen = 0, elen = 0, ocap = 4096, ecap = 4096;
	struct pollfd pfd[2] = { { ofd, POLLIN, 0 }, { efd, POLLIN, 0 } };
	int open_fds = 2;

	r->out = malloc(ocap);
	r->err = malloc(ecap);
	while (open_fds) {
		int i;

		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			break;
		for (i = 0; i < 2; i++) {
			char **buf = i ? &r->err : &r->out;
			size_t *len = i ? &elen : &olen, *cap = i ? &ecap : &ocap;
			ssize_t n;

			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			if (*cap - *len < 4096) {
				*cap *= 2;
				*buf = realloc(*buf, *cap);
			}
			n = read(pfd[i].fd, *buf + *len, *cap - *len - 1);
			if (n <= 0) {
				close(pfd[i].fd);
				pfd[i].fd = -1;
				open_fds--;
				continue;
			}
			*len += n;
		}
	}
	r->out[olen] = '\0';
	r->err[elen] = '\0';
}

/*
 * Run @argv (argv[0] is a path) with optional uid/gid switch (@uid < 0:
 * keep), capture stdout and stderr.  Returns 0 or -errno.
 */
static inline int run_as(char *const argv[], int uid, struct run_result *r)
{
	int op[2], ep[2], st;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	if (pipe2(op, O_CLOEXEC) || pipe2(ep, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		dup2(op[1], 1);
		dup2(ep[1], 2);
		if (uid >= 0 && (setresgid(uid, uid, uid) || setresuid(uid, uid, uid)))
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	close(op[1]);
	close(ep[1]);
	run_drain(op[0], ep[0], r);
	if (waitpid(pid, &st, 0) < 0)
		return -errno;
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return 0;
}

static inline int run(char *const argv[], struct run_result *r)
{
	return run_as(argv, -1, r);
}

/* Inode of namespace @name ("net", "uts", ...) of thread @tid of @pid. */
static inline unsigned long ns_ino(pid_t pid, pid_t tid, const char *name)
{
	char path[96];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/ns/%s", pid, tid, name);
	if (stat(path, &st))
		return 0;
	return st.st_ino;
}

/* Count lines in @s. */
static inline int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

#endif
