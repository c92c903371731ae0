// SPDX-License-Identifier: GPL-2.0-only
/*
 * procmetrics: see procmetrics.h.  /proc/PID/stat gives CPU time, start
 * time (in clock ticks after boot: plus btime from /proc/stat), virtual
 * size and resident pages; /proc/PID/fd is counted; /proc/PID/limits
 * gives the soft limits ("unlimited" is reported as 2^64-1, like Go's
 * client).
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procmetrics.h"

struct pstat {
	double cpu_seconds, start_seconds;
	uint64_t vsize, rss_bytes;
};

static int read_btime(uint64_t *btime)
{
	char line[256];
	FILE *f = fopen("/proc/stat", "re");
	int rc = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "btime %" SCNu64, btime) == 1) {
			rc = 0;
			break;
		}
	fclose(f);
	return rc;
}

static int read_stat(pid_t pid, struct pstat *st)
{
	unsigned long long utime, stime, start, vsize;
	long long rss;
	char path[64], buf[1024], *p;
	long tck = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	uint64_t btime;
	size_t n;
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* comm may hold spaces and parens: fields start after the last ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return -EIO;
	/* Fields 3..: state ppid pgrp session tty tpgid flags minflt cminflt
	 * majflt cmajflt utime(14) stime(15) cutime cstime priority nice
	 * threads itrealvalue starttime(22) vsize(23) rss(24). */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d "
		   "%*d %*d %llu %llu %lld", &utime, &stime, &start, &vsize, &rss) != 5)
		return -EIO;
	err = read_btime(&btime);
	if (err)
		return err;
	st->cpu_seconds = (double)(utime + stime) / tck;
	st->start_seconds = btime + (double)start / tck;
	st->vsize = vsize;
	st->rss_bytes = (uint64_t)rss * page;
	return 0;
}

static int count_fds(pid_t pid, uint64_t *n)
{
	char path[64];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (!d)
		return -errno;
	*n = 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			(*n)++;
	closedir(d);
	return 0;	/* the DIR's own descriptor is in /proc/self/fd: counted, as others do */
}

/* The soft limit of the /proc/PID/limits row starting with @what. */
static int read_limit(pid_t pid, const char *what, double *v)
{
	char path[64], line[256];
	int rc = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/limits", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		const char *s = line + strlen(what);

		if (strncmp(line, what, strlen(what)))
			continue;
		while (*s == ' ')
			s++;
		*v = !strncmp(s, "unlimited", 9) ? 18446744073709551615.0 : strtod(s, NULL);
		rc = 0;
		break;
	}
	fclose(f);
	return rc;
}

int procmetrics_write(struct promtext *p, pid_t pid)
{
	double max_fds = NAN, max_as = NAN;
	uint64_t fds = 0;
	struct pstat st;
	int err;

	err = read_stat(pid, &st);
	if (err)
		return err;
	promtext_family(p, "process_cpu_seconds_total", PROM_COUNTER,
			"Total user and system CPU time spent in seconds.");
	promtext_sample(p, "process_cpu_seconds_total", NULL, 0, st.cpu_seconds);
	if (!count_fds(pid, &fds)) {
		promtext_family(p, "process_open_fds", PROM_GAUGE, "Number of open file descriptors.");
		promtext_sample_u64(p, "process_open_fds", NULL, 0, fds);
	}
	if (!read_limit(pid, "Max open files", &max_fds)) {
		promtext_family(p, "process_max_fds", PROM_GAUGE,
				"Maximum number of open file descriptors.");
		promtext_sample(p, "process_max_fds", NULL, 0, max_fds);
	}
	promtext_family(p, "process_virtual_memory_bytes", PROM_GAUGE,
			"Virtual memory size in bytes.");
	promtext_sample_u64(p, "process_virtual_memory_bytes", NULL, 0, st.vsize);
	if (!read_limit(pid, "Max address space", &max_as)) {
		promtext_family(p, "process_virtual_memory_max_bytes", PROM_GAUGE,
				"Maximum amount of virtual memory available in bytes.");
		promtext_sample(p, "process_virtual_memory_max_bytes", NULL, 0, max_as);
	}
	promtext_family(p, "process_resident_memory_bytes", PROM_GAUGE,
			"Resident memory size in bytes.");
	promtext_sample_u64(p, "process_resident_memory_bytes", NULL, 0, st.rss_bytes);
	promtext_family(p, "process_start_time_seconds", PROM_GAUGE,
			"Start time of the process since unix epoch in seconds.");
	promtext_sample(p, "process_start_time_seconds", NULL, 0, st.start_seconds);
	return 0;
}
