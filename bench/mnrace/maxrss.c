// SPDX-License-Identifier: GPL-2.0-only
/*
 * maxrss FILE PROG [ARG...]: run PROG and write its maximum resident set
 * size in KiB (wait4's ru_maxrss) and the CPU time it used in seconds
 * (user + system) to FILE; exit with its status.  Linux
 * counts the memory a child had before exec in its ru_maxrss, so the
 * child must come from a small process like this one, not from Python
 * (bench/mnrace/measure.py would add its own 14 MiB to every build).
 */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct rusage ru;
	FILE *f;
	int st;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: maxrss FILE PROG [ARG...]\n");
		return 2;
	}
	pid = fork();
	if (pid < 0) {
		perror("maxrss: fork");
		return 2;
	}
	if (!pid) {
		execv(argv[2], argv + 2);
		perror("maxrss: exec");
		_exit(127);
	}
	if (wait4(pid, &st, 0, &ru) < 0) {
		perror("maxrss: wait4");
		return 2;
	}
	f = fopen(argv[1], "w");
	if (!f || fprintf(f, "%ld %.6f\n", ru.ru_maxrss,
			  ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
			  (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6) < 0 || fclose(f)) {
		perror("maxrss: writing the result");
		return 2;
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
