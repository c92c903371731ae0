// SPDX-License-Identifier: GPL-2.0-only
/*
 * The export sink (sink/export.h).  A line is formatted into a private
 * buffer (open_memstream) and written whole; to a file through rotlog,
 * which rotates only between lines.  Writes are made in the pipeline's
 * thread: a slow disk backs the pipeline's queue up, whose overflow is
 * counted as lost at stage "queue", never silently.
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent/envelope.h"
#include "agent/rotlog.h"
#include "common/strout.h"
#include "model/record.h"
#include "sink/export.h"
#include "sink/json.h"
#include "sink/sink.h"

static struct {
	struct export_opts o;
	struct rotlog log;
	bool to_file;
	volatile sig_atomic_t reopen;
	_Atomic unsigned long long lost;
	char *buf;
	size_t cap;
} x;

void export_configure(const struct export_opts *o)
{
	x.o = *o;
}

void export_request_reopen(void)
{
	x.reopen = 1;
}

unsigned long long export_lost(void)
{
	return atomic_load(&x.lost);
}

static int export_open(struct sink *s, const struct sink_opts *so)
{
	int err;

	s->out = so->out;
	if (!x.o.path)
		return 0;
	err = rotlog_open(&x.log, x.o.path, x.o.max_bytes, x.o.backups, x.o.gzip);
	if (err) {
		fprintf(stderr, "nstaint agent: export file %s: %s\n", x.o.path, strerror(-err));
		return err;
	}
	x.to_file = true;
	return 0;
}

static bool wanted(const struct nstaint_event *e)
{
	if (!(x.o.events & (1U << e->type)))
		return false;
	if (e->type == NSTAINT_EV_NS_CHANGE && (e->flags & NSTAINT_F_HOME_MOVED))
		return x.o.home_moves;
	return true;
}

/* One whole line to standard output: write(2) until done or an error. */
static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		p += w;
		n -= w;
	}
	return 0;
}

static int export_record(struct sink *s, const struct record *r)
{
	char when[ENVELOPE_TIME_LEN];
	struct timespec now;
	size_t len;
	FILE *f;
	int err;

	if (!wanted(&r->ev))
		return 0;
	if (x.reopen && x.to_file) {
		x.reopen = 0;
		err = rotlog_reopen(&x.log);
		if (err)
			fprintf(stderr, "nstaint agent: reopening %s: %s\n", x.o.path,
				strerror(-err));
	}
	f = open_memstream(&x.buf, &x.cap);
	if (!f) {
		atomic_fetch_add(&x.lost, 1);
		return 0;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	envelope_time(&now, when, sizeof(when));
	fprintf(f, "{\"schema\":%d,\"time\":\"%s\",\"node_name\":", EXPORT_SCHEMA, when);
	fput_json_str(f, x.o.node_name);
	fputc(',', f);
	json_write_record(f, r, "ktime");
	if (fclose(f)) {
		atomic_fetch_add(&x.lost, 1);
		return 0;
	}
	len = strlen(x.buf);
	err = x.to_file ? rotlog_write(&x.log, x.buf, len) : write_all(STDOUT_FILENO, x.buf, len);
	free(x.buf);
	x.buf = NULL;
	if (err)
		atomic_fetch_add(&x.lost, 1);
	return 0;
}

static void export_close(struct sink *s, const struct ev_counts *c)
{
	if (x.to_file)
		rotlog_close(&x.log);
	x.to_file = false;
}

const struct sink_ops sink_export_ops = {
	.name = "export",
	.stacks = true,
	.open = export_open,
	.record = export_record,
	.close = export_close,
};
