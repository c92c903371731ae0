/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rotlog: an append-only file of whole lines that rotates itself by size
 * (PATH, PATH.1 ... PATH.N, optionally gzip'd as PATH.K.gz) and reopens
 * PATH on request (SIGHUP after logrotate moved it).  Disk use is bounded
 * by max_bytes * (backups + 1), a little less compressed.
 *
 * Invariants: every line goes out in one write(2), and a rotation only
 * happens between lines, so a reader never sees half a line; a write cut
 * short (disk full) is undone with ftruncate and reported.  Not thread
 * safe: one writer (the export thread) owns it.
 */
#ifndef NSTAINT_AGENT_ROTLOG_H
#define NSTAINT_AGENT_ROTLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ROTLOG_MODE 0600

struct rotlog {
	char *path;
	int fd;
	uint64_t size;		/* bytes in PATH now */
	uint64_t max_bytes;	/* rotate before a line would pass this */
	unsigned int backups;	/* PATH.1 .. PATH.backups kept */
	bool gzip;		/* rotated files compressed (zlib) */
	uint64_t rotations;
	uint64_t rotate_errors;	/* rotations that failed (writing went on in PATH) */
	int last_rotate_err;	/* -errno of the last one */
};

/* Open (create 0600, append) @path.  0 or -errno. */
int rotlog_open(struct rotlog *r, const char *path, uint64_t max_bytes,
		unsigned int backups, bool gzip);
/*
 * Append one line (@len bytes, ending in '\n'), rotating first if it would
 * take PATH over max_bytes (a line longer than that gets a file of its
 * own).  0 or -errno; on error the file holds no part of the line.
 */
int rotlog_write(struct rotlog *r, const char *line, size_t len);
/* Close and reopen PATH (logrotate renamed it away).  0 or -errno. */
int rotlog_reopen(struct rotlog *r);
void rotlog_close(struct rotlog *r);

#endif
