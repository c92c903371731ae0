// SPDX-License-Identifier: GPL-2.0-only
/*
 * nstaint top: a live table of tainted threads, refreshed every few
 * seconds.  The model is the pipeline's tracker (model/tracker.[ch]); this
 * file only draws it.
 *
 * Output is plain text.  On a terminal whose TERM is known (not "dumb"),
 * each frame is redrawn in place with three ANSI sequences (cursor home,
 * clear to end of line, clear to end of screen) and no colour, so it works
 * over plain ssh; otherwise, and always in batch mode (-b), frames follow
 * one another separated by a blank line.  q quits when stdin is a
 * terminal.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "cmd/cliopt.h"
#include "cmd/commands.h"
#include "common/nsset.h"
#include "common/strout.h"
#include "model/evtable.h"
#include "model/syscalls.h"
#include "model/tracker.h"
#include "pipeline/pipeline.h"
#include "source/select.h"
#include "source/snapshot_iter.h"
#include "common/monotime.h"

#define POLL_MS		50	/* key and record latency */
#define SYNC_MS		500	/* bound on catching up before a frame */

struct top {
	struct pipeline pl;		/* its tracker is the model */
	struct source_opts so;
	pid_t pid;		/* -p: 0 for every process */
	double delay;		/* seconds between frames */
	long iterations;	/* frames to draw; 0: until q or a signal */
	bool batch;
	bool ansi;		/* redraw in place */
	bool keys;		/* stdin is a terminal in raw mode */
	struct termios saved;
	__u64 start_ns;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

/* A thread still exists while its /proc directory does. */
static bool thread_alive(void *ctx, __u32 pid, __u32 tid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%u/task/%u", pid, tid);
	return !access(path, F_OK) || errno != ENOENT;
}

/* "12s", "3m04s", "2h05m", "3d04h": the age of @ns nanoseconds. */
static void fmt_age(char *buf, size_t len, const char *prefix, __u64 ns)
{
	unsigned long long s = ns / 1000000000ULL;

	if (s < 60)
		snprintf(buf, len, "%s%llus", prefix, s);
	else if (s < 3600)
		snprintf(buf, len, "%s%llum%02llus", prefix, s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%s%lluh%02llum", prefix, s / 3600,
			 s / 60 % 60);
	else
		snprintf(buf, len, "%s%llud%02lluh", prefix, s / 86400,
			 s / 3600 % 24);
}

/* Print into a string with the formatting of a FILE (fput_text). */
static char *mem_printf(void (*fn)(FILE *, const void *), const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return NULL;
	fn(m, arg);
	if (fclose(m)) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void put_comm(FILE *f, const void *comm)
{
	fput_text(f, comm);
}

static void put_namespaces(FILE *f, const void *arg)
{
	const struct tracked_thread *th = arg;
	const char *sep = "";

	for (int i = 0; i < NSTAINT_NS_COUNT; i++) {
		if (!(th->mask & NSTAINT_NS_BIT(i)))
			continue;
		fprintf(f, "%s%s:%u", sep, ns_names[i], th->ns[i]);
		sep = ",";
	}
}

/* "go:1,5,7" then "+N" for the ids not remembered; "-" if none. */
static void put_task_ids(FILE *f, const void *arg)
{
	const struct tracked_thread *th = arg;
	size_t i, kept = th->ntasks < TRACKER_TASK_IDS ? th->ntasks :
			 TRACKER_TASK_IDS;
	__u32 kind = 0;

	if (!th->ntasks) {
		fputc('-', f);
		return;
	}
	for (i = 0; i < kept; i++) {
		if (th->tasks[i].kind != kind) {
			kind = th->tasks[i].kind;
			fprintf(f, "%s%s:", i ? " " : "",
				ev_task_kind_abbrev(kind));
		} else {
			fputc(',', f);
		}
		fprintf(f, "%llu", (unsigned long long)th->tasks[i].id);
	}
	if (th->ntasks > kept)
		fprintf(f, " +%zu", th->ntasks - kept);
}

/* "socket,openat" then "+N" for the numbers not remembered; "-" if none. */
static void put_calls(FILE *f, const void *arg)
{
	const struct tracked_thread *th = arg;
	size_t i, kept = th->ncalls < TRACKER_CALLS ? th->ncalls :
			 TRACKER_CALLS;

	if (!th->ncalls) {
		fputc('-', f);
		return;
	}
	for (i = 0; i < kept; i++) {
		const char *name = syscall_name(th->calls[i]);

		if (i)
			fputc(',', f);
		if (name)
			fputs(name, f);
		else
			fprintf(f, "%d", th->calls[i]);
	}
	if (th->ncalls > kept)
		fprintf(f, " +%zu", th->ncalls - kept);
}

struct row {
	char *comm, *ns, *ids, *calls;
	char owner[32], since[24];
};

static void row_free(struct row *r)
{
	free(r->comm);
	free(r->ns);
	free(r->ids);
	free(r->calls);
}

static int row_fill(struct row *r, const struct tracked_thread *th,
		    __u64 now, __u64 start)
{
	r->comm = mem_printf(put_comm, th->comm);
	r->ns = mem_printf(put_namespaces, th);
	r->ids = mem_printf(put_task_ids, th);
	r->calls = mem_printf(put_calls, th);
	if (!r->comm || !r->ns || !r->ids || !r->calls)
		return -ENOMEM;
	if (th->owner.kind)
		snprintf(r->owner, sizeof(r->owner), "%s:%llu%s",
			 ev_task_kind_abbrev(th->owner.kind),
			 (unsigned long long)th->owner.id,
			 th->owner_locked ? "" : "!");
	else
		strcpy(r->owner, "-");
	/* Tainted before we started: at least as old as we are. */
	if (th->since_ns)
		fmt_age(r->since, sizeof(r->since), "",
			now > th->since_ns ? now - th->since_ns : 0);
	else
		fmt_age(r->since, sizeof(r->since), ">", now - start);
	return 0;
}

static size_t max_len(size_t cur, const char *s)
{
	size_t l = strlen(s);

	return l > cur ? l : cur;
}

/* One frame as text, lines ended by '\n'. */
static int compose(struct top *t, FILE *f)
{
	const struct tracker *tr = &t->pl.tr;
	struct row *rows = calloc(tr->n ? tr->n : 1, sizeof(*rows));
	size_t i, wcomm = 4, wns = 10, wowner = 5, wcalls = 5;
	__u64 now = mono_ns();
	char up[24], clock[16];
	time_t wall = time(NULL);
	int err = 0;

	if (!rows)
		return -ENOMEM;
	for (i = 0; i < tr->n && !err; i++) {
		err = row_fill(&rows[i], &tr->threads[i], now, t->start_ns);
		if (err)
			break;
		wcomm = max_len(wcomm, rows[i].comm);
		wns = max_len(wns, rows[i].ns);
		wowner = max_len(wowner, rows[i].owner);
		wcalls = max_len(wcalls, rows[i].calls);
	}
	if (err)
		goto free_rows;

	fmt_age(up, sizeof(up), "", now - t->start_ns);
	strftime(clock, sizeof(clock), "%H:%M:%S", localtime(&wall));
	fprintf(f, "nstaint top - %s up %s, backend %s, %zu tainted thread%s "
		"in %zu process%s%s\n", clock, up, t->pl.src.ops->name, tr->n,
		tr->n == 1 ? "" : "s", tracker_nprocs(tr),
		tracker_nprocs(tr) == 1 ? "" : "es",
		t->keys ? "  (q quits)" : "");
	/* Every type of the event table, by its one name; lost first. */
	fprintf(f, "records: lost %llu", ev_lost_total(&t->pl.counts));
	for (unsigned int ty = 1; ty < NSTAINT_EV_TYPE_COUNT; ty++)
		if (ty != NSTAINT_EV_LOST)
			fprintf(f, ", %s %llu", ev_type_name(ty),
				(unsigned long long)tr->counts[ty]);
	fprintf(f, "; gone unreported %llu\n", (unsigned long long)tr->pruned);
	/* Once a process's report ring was met: what the rings said. */
	if (t->pl.counts.rep.opened || t->pl.counts.rep.refused) {
		fputs("reports: ", f);
		ev_print_report_counts(f, &t->pl.counts);
		fputc('\n', f);
	}
	fputc('\n', f);
	fprintf(f, "%-8s %-8s %-*s %-*s %-*s %-7s %-*s %5s %s\n", "PID",
		"TID", (int)wcomm, "COMM", (int)wns, "NAMESPACES", (int)wowner,
		"OWNER", "SINCE", (int)wcalls, "CALLS", "TASKS", "TASK IDS");
	for (i = 0; i < tr->n; i++) {
		const struct tracked_thread *th = &tr->threads[i];

		fprintf(f, "%-8u %-8u %-*s %-*s %-*s %-7s %-*s %5zu %s\n",
			th->pid, th->tid, (int)wcomm, rows[i].comm, (int)wns,
			rows[i].ns, (int)wowner, rows[i].owner, rows[i].since,
			(int)wcalls, rows[i].calls, th->ntasks, rows[i].ids);
	}
free_rows:
	for (i = 0; i < tr->n; i++)
		row_free(&rows[i]);
	free(rows);
	return err;
}

/*
 * Write one composed frame.  In place on a terminal: lines cut at the
 * width, the table cut at the height with a count of what did not fit.
 */
static void output(struct top *t, char *text)
{
	struct winsize ws = {};
	unsigned int rows = 0, cols = 0, line = 0;
	char *p = text, *nl;

	if (!t->ansi) {
		fputs(text, stdout);
		fputc('\n', stdout);
		fflush(stdout);
		return;
	}
	if (!ioctl(1, TIOCGWINSZ, &ws)) {
		rows = ws.ws_row;
		cols = ws.ws_col;
	}
	fputs("\033[H", stdout);
	for (; *p; p = nl + 1, line++) {
		size_t len;

		nl = strchr(p, '\n');
		if (!nl)
			break;
		len = nl - p;
		if (rows && line + 2 >= rows && nl[1]) {
			size_t more = 0;

			for (; (nl = strchr(p, '\n')); p = nl + 1)
				more++;
			printf("... %zu more\033[K\n", more);
			break;
		}
		if (cols && len > cols)
			len = cols;
		printf("%.*s\033[K\n", (int)len, p);
	}
	fputs("\033[J", stdout);
	fflush(stdout);
}

static int draw(struct top *t)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	int err;

	if (!m)
		return -errno;
	err = compose(t, m);
	if (fclose(m) && !err)
		err = -ENOMEM;
	if (!err)
		output(t, text);
	free(text);
	if (!err && ferror(stdout))
		err = -EPIPE;
	return err;
}

/* A key was pressed: q quits, any other key redraws now.  1 to redraw. */
static int read_key(struct top *t)
{
	struct pollfd pfd = { .fd = 0, .events = POLLIN };
	char c;

	if (!t->keys || poll(&pfd, 1, 0) != 1)
		return 0;
	if (read(0, &c, 1) != 1) {
		t->keys = false;	/* stdin closed: no more keys */
		return 0;
	}
	if (c == 'q' || c == 'Q')
		stop = 1;
	return 1;
}

static int run(struct top *t)
{
	long frame = 0;
	int err;

	while (!stop) {
		__u64 until;

		err = pipeline_sync(&t->pl, SYNC_MS);
		if (err < 0)
			return err;
		/* Only with nothing left to read: a thread whose exit record
		 * is still queued must not count as gone unreported. */
		if (err == 1)
			tracker_prune(&t->pl.tr, thread_alive, NULL);
		err = draw(t);
		if (err)
			return err;
		if (t->iterations && ++frame >= t->iterations)
			break;
		until = mono_ns() + (__u64)(t->delay * 1e9);
		while (!stop) {
			__u64 now = mono_ns();
			int ms;

			if (now >= until)
				break;
			ms = (until - now) / 1000000 + 1;
			err = pipeline_run(&t->pl, ms < POLL_MS ? ms : POLL_MS,
					   (size_t)-1);
			if (err < 0 && err != -EINTR)
				return err;
			if (read_key(t))
				break;
		}
	}
	return 0;
}

static bool term_usable(void)
{
	const char *term = getenv("TERM");

	return term && *term && strcmp(term, "dumb");
}

static void keys_on(struct top *t)
{
	struct termios raw;

	if (t->batch || !isatty(0) || tcgetattr(0, &t->saved))
		return;
	raw = t->saved;
	raw.c_lflag &= ~(ICANON | ECHO);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (!tcsetattr(0, TCSANOW, &raw))
		t->keys = true;
}

static void keys_off(struct top *t)
{
	if (t->keys)
		tcsetattr(0, TCSANOW, &t->saved);
}

static void usage(FILE *f)
{
	fputs("usage: nstaint top [-p PID] [-d SECS] [-b] [-n COUNT] "
	      "[--backend=bpf|kmod|proc] [--lazy]\n"
	      "A live table of tainted threads: pid, tid, comm, the "
	      "namespaces that differ\nfrom the process's home set (name:"
	      "inode), the owner task that tainted the\nthread (go:GOID, "
	      "mn:ID; '!' if it was not locked), how long ago, and the\n"
	      "user tasks seen running unlocked on it.  q quits.\n"
	      "  -p, --pid PID         only process PID and its descendants\n"
	      "  -d, --delay SECS      refresh every SECS seconds (default 2)\n"
	      "  -b, --batch           plain frames, no keys (logs, pipes, "
	      "tests)\n"
	      "  -n, --iterations N    stop after N frames\n"
	      "      --backend NAME    record source: bpf (default), kmod or proc\n"
	      LAZY_HELP
	      "SINCE '>5s': tainted before top started (5 s ago).\n", f);
}

static int parse_args(struct top *t, const char **backend, int argc,
		      char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "delay", required_argument, NULL, 'd' },
		{ "batch", no_argument, NULL, 'b' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "backend", required_argument, NULL, 'B' },
		{ "lazy", no_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "p:d:bn:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (!cliopt_pid("top", optarg, &t->pid))
				return EXIT_ERROR;
			break;
		case 'd':
			t->delay = strtod(optarg, &end);
			if (*end || !(t->delay >= 0.1 && t->delay <= 86400)) {
				fprintf(stderr, "nstaint top: bad delay '%s' "
					"(0.1 to 86400 seconds)\n", optarg);
				return EXIT_ERROR;
			}
			break;
		case 'b':
			t->batch = true;
			break;
		case 'n':
			errno = 0;
			t->iterations = strtol(optarg, &end, 10);
			if (errno || *end || t->iterations <= 0) {
				fprintf(stderr, "nstaint top: bad frame count "
					"'%s'\n", optarg);
				return EXIT_ERROR;
			}
			break;
		case 'B':
			*backend = optarg;
			break;
		case 'L':
			t->so.lazy = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_CLEAN;
		default:
			usage(stderr);
			return EXIT_ERROR;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "nstaint top: unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		return EXIT_ERROR;
	}
	return -1;
}

/* Threads tainted before the backend attached: from /proc, once. */
static int seed(struct top *t)
{
	struct snapshot s;
	int err = snapshot_take_seed(&s);

	if (err) {
		fprintf(stderr, "nstaint top: cannot scan /proc: %s\n",
			strerror(-err));
		return err;
	}
	err = tracker_seed(&t->pl.tr, &s, t->pid);
	snapshot_free(&s);
	if (err)
		fprintf(stderr, "nstaint top: %s\n", strerror(-err));
	return err;
}

int cmd_top(int argc, char **argv)
{
	struct top t = { .delay = 2 };
	const char *backend = NULL;
	const struct source_ops *ops;
	struct sigaction sa = { .sa_handler = on_signal };
	int ret, err;

	ret = parse_args(&t, &backend, argc, argv);
	if (ret >= 0)
		return ret;
	if (t.pid && kill(t.pid, 0) && errno == ESRCH) {
		fprintf(stderr, "nstaint top: no process %d\n", t.pid);
		return EXIT_ERROR;
	}
	ops = source_find("top", backend);
	if (!ops || source_check_opts("top", ops, &t.so))
		return EXIT_ERROR;
	t.so.follow_pid = t.pid;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (pipeline_open(&t.pl, "top", ops, &t.so, true)) {
		pipeline_close(&t.pl);
		return EXIT_ERROR;
	}
	t.start_ns = mono_ns();
	ret = EXIT_CLEAN;
	if (seed(&t)) {
		ret = EXIT_ERROR;
		goto close;
	}
	t.ansi = !t.batch && isatty(1) && term_usable();
	keys_on(&t);
	if (t.ansi)
		fputs("\033[?25l\033[2J", stdout);	/* hide cursor, clear */
	err = run(&t);
	if (t.ansi)
		fputs("\033[?25h", stdout);
	keys_off(&t);
	fflush(stdout);
	if (err && err != -EPIPE) {
		fprintf(stderr, "nstaint top: %s\n", strerror(-err));
		ret = EXIT_ERROR;
	}
close:
	pipeline_close(&t.pl);
	return ret;
}
