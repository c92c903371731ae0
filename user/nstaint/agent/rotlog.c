// SPDX-License-Identifier: GPL-2.0-only
/*
 * rotlog: see rotlog.h.  Rotation shifts PATH.K to PATH.K+1 from the
 * oldest down (the oldest falls off), then PATH to PATH.1, compressing
 * that one into PATH.1.gz through a temporary name so a reader never
 * sees a half-written archive.  Compression runs in the writer's thread:
 * at the default 10 MiB that is a fraction of a second, which the export
 * queue in front of it absorbs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "rotlog.h"

static int open_path(struct rotlog *r)
{
	struct stat st;

	r->fd = open(r->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, ROTLOG_MODE);
	if (r->fd < 0)
		return -errno;
	if (fstat(r->fd, &st) < 0) {
		int err = -errno;

		close(r->fd);
		r->fd = -1;
		return err;
	}
	r->size = st.st_size;
	return 0;
}

int rotlog_open(struct rotlog *r, const char *path, uint64_t max_bytes,
		unsigned int backups, bool gzip)
{
	int err;

	memset(r, 0, sizeof(*r));
	r->fd = -1;
	if (!max_bytes)
		return -EINVAL;
	r->path = strdup(path);
	if (!r->path)
		return -ENOMEM;
	r->max_bytes = max_bytes;
	r->backups = backups;
	r->gzip = gzip;
	err = open_path(r);
	if (err) {
		free(r->path);
		r->path = NULL;
	}
	return err;
}

/* PATH.@k, with .gz when rotated files are compressed (k > 0). */
static void backup_name(const struct rotlog *r, unsigned int k, char *buf, size_t sz)
{
	snprintf(buf, sz, "%s.%u%s", r->path, k, r->gzip ? ".gz" : "");
}

/* Compress @src into @dst (via @dst.tmp), then remove @src. */
static int gzip_file(const char *src, const char *dst)
{
	char tmp[4096 + 64], buf[65536];
	int in, out, err = 0;
	gzFile gz;
	ssize_t n;

	snprintf(tmp, sizeof(tmp), "%s.tmp", dst);
	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, ROTLOG_MODE);
	if (out < 0) {
		err = -errno;
		close(in);
		return err;
	}
	gz = gzdopen(out, "wb");
	if (!gz) {
		close(out);
		close(in);
		unlink(tmp);
		return -ENOMEM;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (gzwrite(gz, buf, n) != n) {
			err = -EIO;
			break;
		}
	if (n < 0)
		err = -errno;
	if (gzclose(gz) != Z_OK && !err)
		err = -EIO;
	close(in);
	if (!err && rename(tmp, dst) < 0)
		err = -errno;
	if (err)
		unlink(tmp);
	else
		unlink(src);
	return err;
}

static int rotate(struct rotlog *r)
{
	char from[4096 + 32], to[4096 + 32];
	unsigned int k;
	int err = 0;

	close(r->fd);
	r->fd = -1;
	if (!r->backups) {
		if (unlink(r->path) < 0 && errno != ENOENT)
			err = -errno;
	} else {
		backup_name(r, r->backups, to, sizeof(to));
		unlink(to);
		for (k = r->backups; k > 1; k--) {
			backup_name(r, k - 1, from, sizeof(from));
			backup_name(r, k, to, sizeof(to));
			if (rename(from, to) < 0 && errno != ENOENT)
				err = -errno;
		}
		snprintf(to, sizeof(to), "%s.1", r->path);
		if (rename(r->path, to) < 0 && errno != ENOENT)
			err = -errno;
		if (!err && r->gzip) {
			backup_name(r, 1, from, sizeof(from));
			err = gzip_file(to, from);
		}
	}
	r->rotations++;
	/* Whatever went wrong above, keep writing to PATH. */
	return open_path(r) ?: err;
}

int rotlog_write(struct rotlog *r, const char *line, size_t len)
{
	ssize_t n;
	int err;

	if (r->fd < 0) {
		err = open_path(r);
		if (err)
			return err;
	}
	if (r->size && r->size + len > r->max_bytes) {
		err = rotate(r);
		if (err) {
			r->rotate_errors++;
			r->last_rotate_err = err;
			if (r->fd < 0)
				return err;
		}
	}
	do
		n = write(r->fd, line, len);
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)len) {
		r->size += len;
		return 0;
	}
	err = n < 0 ? -errno : -ENOSPC;
	/* A short write left part of a line: take it back. */
	if (n > 0 && ftruncate(r->fd, r->size) < 0)
		err = -errno;
	return err;
}

int rotlog_reopen(struct rotlog *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	return open_path(r);
}

void rotlog_close(struct rotlog *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	free(r->path);
	r->path = NULL;
}
