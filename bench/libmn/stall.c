// SPDX-License-Identifier: GPL-2.0-only
/*
 * stall ON_US EVERY_US cmd [args...]: runs cmd and, every EVERY_US,
 * stops for ON_US the thread of cmd that used the most CPU since the
 * last look (ptrace: PTRACE_SEIZE, PTRACE_INTERRUPT, PTRACE_DETACH).
 * That is what a host does to the thread on a vCPU it steals, or the
 * kernel to a thread it preempts: the thread holds whatever it held
 * and runs nothing.  Exits with cmd's status; prints the number of
 * stalls on stderr.  Used by stall.sh.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_THREADS 256

static struct {
	int tid;
	long cpu;	/* utime + stime at the last look, in ticks */
} seen[MAX_THREADS];
static int nseen;

/* utime + stime of thread @tid of @pid in ticks, or -1. */
static long thread_cpu(int pid, int tid)
{
	char path[64], buf[1024], *s, *tok, *save;
	long ut = 0;
	size_t n;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	s = strrchr(buf, ')');	/* the name may hold spaces */
	if (!s)
		return -1;
	/* fields after the name: state is the 3rd of stat, utime the 14th */
	for (i = 3, tok = strtok_r(s + 2, " ", &save); tok; i++, tok = strtok_r(NULL, " ", &save)) {
		if (i == 14)
			ut = atol(tok);
		else if (i == 15)
			return ut + atol(tok);
	}
	return -1;
}

/* The CPU ticks thread @tid used since the last look. */
static long used_since(int tid, long now)
{
	long d;

	for (int i = 0; i < nseen; i++)
		if (seen[i].tid == tid) {
			d = now - seen[i].cpu;
			seen[i].cpu = now;
			return d;
		}
	if (nseen < MAX_THREADS)
		seen[nseen++] = (typeof(seen[0])){ tid, now };
	return now;
}

/* The thread of @pid that used the most CPU since the last look, or -1. */
static int busiest(int pid)
{
	char path[64];
	struct dirent *e;
	long best = 0, c, d;
	int tid, who = -1;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((e = readdir(dir))) {
		tid = atoi(e->d_name);
		if (tid <= 0 || (c = thread_cpu(pid, tid)) < 0)
			continue;
		d = used_since(tid, c);
		if (d > best) {
			best = d;
			who = tid;
		}
	}
	closedir(dir);
	return who;
}

/*
 * Stop @tid for @on_us microseconds; true if it was stopped.  A thread
 * that exits while we trace it stays a zombie until we reap it, and its
 * process with it: the waitpid after the interrupt takes its exit too,
 * and a detach that fails (it is not in a stop) is retried after the
 * stop or exit it is heading for.
 */
static int stall(int tid, long on_us)
{
	int st;

	if (ptrace(PTRACE_SEIZE, tid, 0, 0))
		return 0;
	if (ptrace(PTRACE_INTERRUPT, tid, 0, 0) || waitpid(tid, &st, __WALL) < 0 ||
	    WIFEXITED(st) || WIFSIGNALED(st)) {
		ptrace(PTRACE_DETACH, tid, 0, 0);
		return 0;
	}
	usleep(on_us);
	while (ptrace(PTRACE_DETACH, tid, 0, 0) && errno == ESRCH)
		if (waitpid(tid, &st, __WALL) < 0 || WIFEXITED(st) || WIFSIGNALED(st))
			break;
	return 1;
}

int main(int argc, char **argv)
{
	long on_us, every_us;
	int pid, st, stalls = 0, tid;

	if (argc < 4 || (on_us = atol(argv[1])) <= 0 || (every_us = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: stall ON_US EVERY_US cmd [args...]\n");
		return 2;
	}
	pid = fork();
	if (pid < 0) {
		perror("stall: fork");
		return 2;
	}
	if (!pid) {
		execvp(argv[3], argv + 3);
		fprintf(stderr, "stall: %s: %s\n", argv[3], strerror(errno));
		_exit(127);
	}
	for (;;) {
		usleep(every_us);
		if (waitpid(pid, &st, WNOHANG) == pid && (WIFEXITED(st) || WIFSIGNALED(st)))
			break;
		tid = busiest(pid);
		if (tid > 0)
			stalls += stall(tid, on_us);
	}
	fprintf(stderr, "stall: %d stalls of %ld us\n", stalls, on_us);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
