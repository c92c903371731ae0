// SPDX-License-Identifier: GPL-2.0-only
/*
 * The cheapest system call in a loop: what every syscall pays for a tracer
 * (syscall tracepoints put all of them on the slow path).  Prints the mean
 * nanoseconds per call over N calls (argv[1], default 2000000).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 2000000;
	struct timespec a, b;

	if (n <= 0) {
		fprintf(stderr, "usage: getppid [CALLS]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);	/* not cached by libc */
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.1f\n", ((b.tv_sec - a.tv_sec) * 1e9 +
			  (b.tv_nsec - a.tv_nsec)) / n);
	return 0;
}
