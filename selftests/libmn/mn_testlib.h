/* SPDX-License-Identifier: GPL-2.0-only */
/* Helpers shared by the libmn selftests. */
#ifndef MN_TESTLIB_H
#define MN_TESTLIB_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mn.h>

/*
 * Run fn() in a child process with stderr captured into out; returns the
 * child's wait status.  Used for fatal errors, which end the process.
 * With sig != 0, send it sig_after_ms after the child wrote "ready\n".
 */
static inline int mnt_run_child(void (*fn)(void), char *out, size_t len, int sig_after_ms, int sig)
{
	int pfd[2], st = 0;
	size_t off = 0;

	out[0] = '\0';
	ssize_t n;
	pid_t pid;

	if (pipe(pfd))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(pfd[1], 2);
		close(pfd[0]);
		fn();
		_exit(0);
	}
	close(pfd[1]);
	if (sig) {
		while (!strstr(out, "ready\n") && off + 1 < len &&
		       (n = read(pfd[0], out + off, len - off - 1)) > 0) {
			off += (size_t)n;
			out[off] = '\0';
		}
		usleep((useconds_t)sig_after_ms * 1000);
		kill(pid, sig);
	}
	while (off + 1 < len && (n = read(pfd[0], out + off, len - off - 1)) > 0)
		off += (size_t)n;
	out[off] = '\0';
	close(pfd[0]);
	waitpid(pid, &st, 0);
	return st;
}

static inline pid_t mnt_gettid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

static inline int mnt_thread_alive(pid_t tid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d", (int)tid);
	return access(path, F_OK) == 0;
}

/* Wait up to 2 s for a thread to disappear. */
static inline int mnt_thread_gone(pid_t tid)
{
	for (int i = 0; i < 200; i++) {
		if (!mnt_thread_alive(tid))
			return 1;
		usleep(10000);
	}
	return 0;
}

static inline unsigned long mnt_ns_ino(const char *path)
{
	char buf[64];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtoul(strchr(buf, '[') ? strchr(buf, '[') + 1 : buf, NULL, 10);
}

/* Number of threads of this process whose @ns inode is @ino. */
static inline int mnt_threads_in_ns(const char *ns, unsigned long ino)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	char path[320];
	int n = 0;

	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/ns/%s", e->d_name, ns);
		if (mnt_ns_ino(path) == ino)
			n++;
	}
	if (d)
		closedir(d);
	return n;
}

static inline int mnt_nthreads(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	if (d)
		closedir(d);
	return n;
}

/* build/nstaint ps -p PID: 0 = nothing tainted, 1 = tainted. */
static inline int mnt_nstaint_ps(void)
{
	char cmd[128];
	int st;

	snprintf(cmd, sizeof(cmd), "build/nstaint ps -p %d >/dev/null 2>&1", (int)getpid());
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#endif
