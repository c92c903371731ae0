// SPDX-License-Identifier: GPL-2.0-only
/*
 * The export sink (sink/export.h).  A line is formatted in the pipeline's
 * thread into a private buffer (open_memstream) and queued (agent/lineq)
 * for the writer thread, which writes it whole: to a file through rotlog,
 * which rotates only between lines, or to standard output.  The queue is
 * bounded and a push never waits, so a slow disk or a reader that stopped
 * reading never backs the pipeline up: what does not fit is counted as
 * lost at stage "export", and once there is room again a `lost` line
 * (stage export) in the stream says how many lines are missing there.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent/alog.h"
#include "agent/envelope.h"
#include "agent/lineq.h"
#include "agent/rotlog.h"
#include "common/strout.h"
#include "model/evtable.h"
#include "model/record.h"
#include "sink/export.h"
#include "sink/json.h"
#include "sink/sink.h"
#include "common/monotime.h"

/* How long a stop waits for a writer stuck on a reader that stopped. */
#define EXPORT_STOP_WAIT_MS	300

static struct {
	struct export_opts o;
	struct rotlog log;
	bool to_file;
	volatile sig_atomic_t reopen;
	_Atomic unsigned long long lost;
	_Atomic unsigned long long written;
	unsigned long long gap;		/* dropped since the last lost line */
	struct lineq *q;
	pthread_t writer;
	bool writer_started;
} x;

void export_configure(const struct export_opts *o)
{
	x.o = *o;
}

void export_set_filter(unsigned int events, bool home_moves)
{
	x.o.events = events;
	x.o.home_moves = home_moves;
}

void export_set_node_name(const char *name)
{
	x.o.node_name = name;
}

void export_request_reopen(void)
{
	x.reopen = 1;
}

unsigned long long export_lost(void)
{
	return atomic_load(&x.lost);
}

unsigned long long export_written(void)
{
	return atomic_load(&x.written);
}

size_t export_queue_len(void)
{
	return x.q ? lineq_len(x.q) : 0;
}

size_t export_queue_cap(void)
{
	return x.q ? lineq_cap(x.q) : x.o.queue_len;
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

static void *writer_main(void *arg)
{
	sigset_t all;
	char *line;
	size_t len;
	int err;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	/* Cancelled (at a stop) only while stuck writing to a pipe. */
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	while (lineq_pop(x.q, &line, &len)) {
		if (x.reopen && x.to_file) {
			x.reopen = 0;
			err = rotlog_reopen(&x.log);
			if (err)
				alog(ALOG_ERROR, "reopening %s: %s", x.o.path, strerror(-err));
		}
		if (x.to_file) {
			err = rotlog_write(&x.log, line, len);
		} else {
			pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
			err = write_all(STDOUT_FILENO, line, len);
			pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
		}
		free(line);
		atomic_fetch_add(err ? &x.lost : &x.written, 1);
	}
	return NULL;
}

static int export_open(struct sink *s, const struct sink_opts *so)
{
	int err;

	s->out = so->out;
	x.q = lineq_new(x.o.queue_len ? x.o.queue_len : EXPORT_QUEUE_LEN);
	if (!x.q)
		return -ENOMEM;
	if (x.o.path) {
		err = rotlog_open(&x.log, x.o.path, x.o.max_bytes, x.o.backups, x.o.gzip);
		if (err) {
			alog(ALOG_ERROR, "export file %s: %s", x.o.path, strerror(-err));
			goto free_q;
		}
		x.to_file = true;
	}
	err = -pthread_create(&x.writer, NULL, writer_main, NULL);
	if (err) {
		alog(ALOG_ERROR, "cannot start a thread: %s", strerror(-err));
		if (x.to_file)
			rotlog_close(&x.log);
		x.to_file = false;
		goto free_q;
	}
	x.writer_started = true;
	return 0;
free_q:
	lineq_free(x.q);
	x.q = NULL;
	return err;
}

static bool wanted(const struct nstaint_event *e)
{
	if (!(x.o.events & (1U << e->type)))
		return false;
	if (e->type == NSTAINT_EV_NS_CHANGE && (e->flags & NSTAINT_F_HOME_MOVED))
		return x.o.home_moves;
	return true;
}

/* A record or a report as a whole line with the envelope: malloc'ed, or
 * NULL; one of @r, @rep. */
static char *format_any(const struct record *r, const struct report *rep,
			size_t *len)
{
	char when[ENVELOPE_TIME_LEN], *buf = NULL;
	struct timespec now;
	FILE *f;

	f = open_memstream(&buf, len);
	if (!f)
		return NULL;
	clock_gettime(CLOCK_REALTIME, &now);
	envelope_time(&now, when, sizeof(when));
	fprintf(f, "{\"schema\":%d,\"time\":\"%s\",\"node_name\":", EXPORT_SCHEMA, when);
	fput_json_str(f, x.o.node_name);
	fputc(',', f);
	if (rep)
		json_write_report(f, rep, "ktime");
	else
		json_write_record(f, r, "ktime");
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

static char *format(const struct record *r, size_t *len)
{
	return format_any(r, NULL, len);
}

/*
 * The lines dropped since the last `lost` line, as one, if @room slots
 * are free.  A record's line needs two (one stays free for this line), so
 * a gap is closed with 3 free: the gap's line and the record's both fit.
 */
static void push_gap(size_t room)
{
	struct record r = { .lost_stage = LOST_STAGE_EXPORT };
	size_t len;
	char *line;

	r.ev.version = NSTAINT_ABI_VERSION;
	r.ev.size = sizeof(r.ev);
	r.ev.type = NSTAINT_EV_LOST;
	r.ev.syscall_nr = -1;
	r.ev.ts_ns = mono_ns();
	r.ev.count = x.gap;
	line = format(&r, &len);
	if (line && lineq_push(x.q, line, len, room))
		x.gap = 0;
	else
		free(line);
}

/* One line, or counted in the gap (a `lost` line of stage export). */
static void push_line(char *line, size_t len)
{
	if (line && !x.gap && lineq_push(x.q, line, len, 2))
		return;
	free(line);
	x.gap++;
	atomic_fetch_add(&x.lost, 1);
}

static int export_record(struct sink *s, const struct record *r)
{
	size_t len;
	char *line;

	if (!wanted(&r->ev))
		return 0;
	if (x.gap)
		push_gap(3);
	line = format(r, &len);
	push_line(line, len);
	return 0;
}

/* Reports are few and each one matters: always exported. */
static int export_report(struct sink *s, const struct report *rep)
{
	size_t len;
	char *line;

	if (x.gap)
		push_gap(3);
	line = format_any(NULL, rep, &len);
	push_line(line, len);
	return 0;
}

/* Wait for the writer; one stuck on a pipe nobody reads is cancelled. */
static void stop_writer(void)
{
	struct timespec until;
	unsigned long long left;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += EXPORT_STOP_WAIT_MS * 1000000L;
	until.tv_sec += until.tv_nsec / 1000000000L;
	until.tv_nsec %= 1000000000L;
	if (x.to_file || pthread_timedjoin_np(x.writer, NULL, &until)) {
		if (!x.to_file)
			pthread_cancel(x.writer);
		pthread_join(x.writer, NULL);
	}
	left = lineq_len(x.q);
	if (left)
		atomic_fetch_add(&x.lost, left);
}

static void export_close(struct sink *s, const struct ev_counts *c)
{
	if (!x.q)
		return;
	if (x.gap)
		push_gap(1);
	lineq_close(x.q);
	if (x.writer_started)
		stop_writer();
	x.writer_started = false;
	lineq_free(x.q);
	x.q = NULL;
	if (x.to_file)
		rotlog_close(&x.log);
	x.to_file = false;
}

const struct sink_ops sink_export_ops = {
	.name = "export",
	.stacks = true,
	.open = export_open,
	.record = export_record,
	.report = export_report,
	.close = export_close,
};
