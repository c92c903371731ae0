// SPDX-License-Identifier: GPL-2.0-only
/*
 * `nstaint agent` (docs/agent.md): the node agent.  The record pipeline
 * of `trace` (source -> drain -> decode -> tracker) with two sinks,
 * metrics (served on /metrics, and optionally a textfile for
 * node_exporter) and export (JSON lines), under systemd's notify protocol.
 *
 * Threads: this one runs the pipeline and the loop below; libmicrohttpd's
 * thread serves scrapes from the metrics sink's page (sink/metrics.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent/alog.h"
#include "agent/confile.h"
#include "agent/envelope.h"
#include "agent/httpd.h"
#include "agent/sdnotify.h"
#include "cmd/cliopt.h"
#include "cmd/commands.h"
#include "model/evtable.h"
#include "pipeline/pipeline.h"
#include "sink/export.h"
#include "sink/metrics.h"
#include "source/select.h"
#include "source/snapshot_iter.h"
#include "common/monotime.h"

/*
 * Not a registered port: the Prometheus wiki's exporter range
 * (9100-9999) is fully allocated; this one is not in it as of 2026-12.
 */
#define AGENT_METRICS_ADDRESS	"127.0.0.1:9891"
#define AGENT_RUN_BATCH		4096
/* /healthz fails when the loop has not ticked for this long. */
#define AGENT_STALL_NS		(10ULL * 1000000000ULL)
#define AGENT_LOSS_LOG_S	60
#define AGENT_TEXTFILE_S	15
/* A loss resyncs the tracker from /proc at most this often. */
#define AGENT_RESYNC_MIN_S	10
/* How long a resync waits for the records queued before it. */
#define AGENT_RESYNC_SYNC_MS	200
/*
 * Exit status when the backend asked for (or, under auto, every one)
 * could not be opened: distinct from a usage error (EXIT_ERROR), so a
 * service manager or a test can tell "wrong flags" from "no rights".
 */
#define AGENT_EXIT_BACKEND	3
/* The first step down of auto: BPF without fentry, on tracepoints. */
#define AGENT_STEP_FENTRY	"fentry"

struct agent_opts {
	const char *backend;		/* auto, or a name in select.c's table */
	bool lazy;
	double proc_interval;		/* s, the proc backend's scan interval */
	unsigned int ringbuf_kb;	/* 0: the BPF source's default */
	const char *metrics_address;	/* "none": no endpoint */
	const char *metrics_textfile;
	const char *metrics_label;	/* "none" or "comm" */
	unsigned long metrics_label_max;
	const char *log_format;		/* text, json */
	unsigned long export_queue;	/* lines */
	const char *export;		/* stdout, file, none */
	const char *export_file;
	unsigned long export_max_mb;
	unsigned long export_backups;
	bool export_gzip;
	const char *export_events;	/* comma list, or "all" */
	const char *node_name;
	double duration;
	bool print_config;
	bool help;		/* --help: printed, nothing else to do */
};

static volatile sig_atomic_t stop, hup;
/* Resyncs after a loss, for the loss line (pipeline thread). */
static unsigned long long resyncs_done;

static void on_stop(int sig)
{
	stop = 1;
}

static void on_hup(int sig)
{
	hup = 1;
	export_request_reopen();
}

static const struct option opts[] = {
	{ "backend", required_argument, NULL, 'b' },
	{ "lazy", no_argument, NULL, 'L' },
	{ "proc-interval", required_argument, NULL, 'I' },
	{ "ringbuf-kb", required_argument, NULL, 'R' },
	{ "metrics-address", required_argument, NULL, 'm' },
	{ "metrics-textfile", required_argument, NULL, 'T' },
	{ "metrics-label", required_argument, NULL, 'l' },
	{ "metrics-label-max", required_argument, NULL, 'X' },
	{ "log-format", required_argument, NULL, 'g' },
	{ "export-queue", required_argument, NULL, 'Q' },
	{ "export", required_argument, NULL, 'e' },
	{ "export-file", required_argument, NULL, 'F' },
	{ "export-max-mb", required_argument, NULL, 'M' },
	{ "export-backups", required_argument, NULL, 'K' },
	{ "export-gzip", no_argument, NULL, 'z' },
	{ "export-events", required_argument, NULL, 'E' },
	{ "node-name", required_argument, NULL, 'n' },
	{ "duration", required_argument, NULL, 'd' },
	{ "config", required_argument, NULL, 'c' },
	{ "print-config", no_argument, NULL, 'P' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: nstaint agent [OPTION...]\n"
"The node agent: namespace records from the kernel, served as Prometheus\n"
"metrics and exported as JSON lines (docs/agent.md).\n"
"  -b, --backend NAME        record source: auto (default: each in turn\n"
"                            until one opens: ");
	source_print_names(f, ", then ");
	fprintf(f, "),\n"
"                            or one of them only (exit %d if it fails)\n"
"      --lazy                BPF: hook no setns/unshare (see nstaint trace)\n"
"      --proc-interval SEC   proc backend: scan /proc every SEC seconds\n"
"                            (default %g)\n"
"      --ringbuf-kb KB       BPF ring buffer size (default %u)\n"
"      --metrics-address A   serve /metrics, /healthz, /readyz on A\n"
"                            (numeric HOST:PORT; default %s; none: off)\n"
"      --metrics-textfile P  also write the metrics to P every %d s\n"
"                            (atomically, for node_exporter's textfile)\n"
"      --metrics-label L     comm: label tainted threads and unlocked\n"
"                            tasks by comm (default none)\n"
"      --metrics-label-max N distinct comm values, then comm=\"_other\"\n"
"                            (default %d)\n"
"      --log-format F        stderr lines as text (default) or json\n"
"      --export WHERE        event lines to stdout (default), file or none\n"
"      --export-file PATH    the file for --export=file (mode 0600)\n"
"      --export-max-mb N     rotate the file at N MiB (default 10)\n"
"      --export-backups N    keep N rotated files (default 5)\n"
"      --export-gzip         compress rotated files\n"
"      --export-events LIST  event types to export, comma-separated, or\n"
"                            all (default: all but whole-process\n"
"                            ns_change, which are only counted)\n"
"      --export-queue N      lines waiting for the writer at most\n"
"                            (default %d; more are lost, stage export)\n"
"      --node-name NAME      node_name of exported lines (default:\n"
"                            $NODE_NAME, else the host name)\n"
"  -d, --duration SEC        stop after SEC seconds\n"
"      --config FILE         options as 'long-option = value' lines;\n"
"                            the command line wins\n"
"      --print-config        print the options in effect and exit\n"
"  SIGHUP reopens the export file and reloads --config's export-events,\n"
"  node-name, log-format and metrics-textfile; SIGTERM and SIGINT stop.\n",
		AGENT_EXIT_BACKEND, PROC_INTERVAL_MS_DEFAULT / 1000.0, RINGBUF_KB_DEFAULT,
		AGENT_METRICS_ADDRESS, AGENT_TEXTFILE_S, METRICS_COMM_MAX_DEFAULT,
		EXPORT_QUEUE_LEN);
}

static int bad(const char *what, const char *val)
{
	fprintf(stderr, "nstaint agent: bad %s '%s'\n", what, val);
	return EXIT_ERROR;
}

static bool parse_ulong(const char *s, unsigned long lo, unsigned long hi, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	return !errno && *s >= '0' && *s <= '9' && !*end && *v >= lo && *v <= hi;
}

/* --export-events: a mask of event types, and whether home moves go too. */
static int parse_events(const char *list, unsigned int *mask, bool *home_moves)
{
	char *copy, *tok, *save;
	unsigned int i;

	if (!list) {
		*mask = (1U << NSTAINT_EV_TYPE_COUNT) - 1;
		*home_moves = false;
		return 0;
	}
	if (!strcmp(list, "all")) {
		*mask = (1U << NSTAINT_EV_TYPE_COUNT) - 1;
		*home_moves = true;
		return 0;
	}
	copy = strdup(list);
	if (!copy)
		return -ENOMEM;
	*mask = 0;
	*home_moves = true;	/* ns_change named: all of them */
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 1; i < NSTAINT_EV_TYPE_COUNT; i++)	/* 0 is no type */
			if (!strcmp(tok, ev_type_name(i)))
				break;
		if (i == NSTAINT_EV_TYPE_COUNT) {
			fprintf(stderr, "nstaint agent: unknown event type '%s' in "
				"--export-events (known:", tok);
			for (i = 1; i < NSTAINT_EV_TYPE_COUNT; i++)
				fprintf(stderr, " %s", ev_type_name(i));
			fprintf(stderr, ")\n");
			free(copy);
			return -EINVAL;
		}
		*mask |= 1U << i;
	}
	free(copy);
	return 0;
}

/* --proc-interval: seconds, within the source's bounds. */
static bool parse_interval(const char *s, double *sec)
{
	char *end;

	*sec = strtod(s, &end);
	if (end != s && !*end && *sec * 1000 >= PROC_INTERVAL_MS_MIN &&
	    *sec * 1000 <= PROC_INTERVAL_MS_MAX)
		return true;
	fprintf(stderr, "nstaint agent: bad --proc-interval '%s' (%g to %g s)\n", s,
		PROC_INTERVAL_MS_MIN / 1000.0, PROC_INTERVAL_MS_MAX / 1000.0);
	return false;
}

static int parse_args(int argc, char **argv, struct agent_opts *a)
{
	unsigned long v;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+b:d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			/* The names are select.c's table's, and auto. */
			if (strcmp(optarg, "auto") && !source_find("agent", optarg))
				return EXIT_ERROR;
			a->backend = optarg;
			break;
		case 'L':
			a->lazy = true;
			break;
		case 'I':
			if (!parse_interval(optarg, &a->proc_interval))
				return EXIT_ERROR;
			break;
		case 'R':
			if (!cliopt_ringbuf_kb("agent", optarg, RINGBUF_KB_MAX, &a->ringbuf_kb))
				return EXIT_ERROR;
			break;
		case 'l':
			if (strcmp(optarg, "none") && strcmp(optarg, "comm"))
				return bad("--metrics-label (comm or none)", optarg);
			a->metrics_label = optarg;
			break;
		case 'X':
			if (!parse_ulong(optarg, 1, 10000, &v))
				return bad("--metrics-label-max (1 to 10000)", optarg);
			a->metrics_label_max = v;
			break;
		case 'g':
			if (strcmp(optarg, "text") && strcmp(optarg, "json"))
				return bad("--log-format (text or json)", optarg);
			a->log_format = optarg;
			break;
		case 'Q':
			if (!parse_ulong(optarg, 2, 1UL << 24, &v))
				return bad("--export-queue (2 to 16777216)", optarg);
			a->export_queue = v;
			break;
		case 'm': {
			struct sockaddr_storage ss;
			const char *why;
			socklen_t len;

			if (strcmp(optarg, "none") && httpd_parse_address(optarg, &ss, &len, &why)) {
				fprintf(stderr, "nstaint agent: bad --metrics-address '%s': %s\n",
					optarg, why);
				return EXIT_ERROR;
			}
			a->metrics_address = optarg;
			break;
		}
		case 'T':
			a->metrics_textfile = optarg;
			break;
		case 'e':
			if (strcmp(optarg, "stdout") && strcmp(optarg, "file") && strcmp(optarg, "none"))
				return bad("--export (stdout, file or none)", optarg);
			a->export = optarg;
			break;
		case 'F':
			a->export_file = optarg;
			break;
		case 'M':
			if (!parse_ulong(optarg, 1, 1UL << 20, &v))
				return bad("--export-max-mb (1 to 1048576)", optarg);
			a->export_max_mb = v;
			break;
		case 'K':
			if (!parse_ulong(optarg, 0, 1000, &v))
				return bad("--export-backups (0 to 1000)", optarg);
			a->export_backups = v;
			break;
		case 'z':
			a->export_gzip = true;
			break;
		case 'E':
			a->export_events = optarg;
			break;
		case 'n':
			a->node_name = optarg;
			break;
		case 'd':
			if (!cliopt_duration("agent", optarg, &a->duration))
				return EXIT_ERROR;
			break;
		case 'c':
			break;	/* read before parsing (main) */
		case 'P':
			a->print_config = true;
			break;
		case 'h':
			usage(stdout);
			a->help = true;
			return 0;
		default:
			usage(stderr);
			return EXIT_ERROR;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "nstaint agent: unexpected argument '%s'\n", argv[optind]);
		return EXIT_ERROR;
	}
	if (!strcmp(a->export, "file") && !a->export_file) {
		fprintf(stderr, "nstaint agent: --export=file needs --export-file PATH\n");
		return EXIT_ERROR;
	}
	return 0;
}

/* The options in effect, as a --config file would say them (unset ones
 * commented out, so the output reads back as a config file). */
static void print_opt(FILE *f, const char *name, const char *val)
{
	if (val && *val)
		fprintf(f, "%s = %s\n", name, val);
	else
		fprintf(f, "# %s =\n", name);
}

static void print_num(FILE *f, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void print_num(FILE *f, const char *name, const char *fmt, ...)
{
	char n[32];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(n, sizeof(n), fmt, ap);
	va_end(ap);
	print_opt(f, name, n);
}

static void print_config(FILE *f, const struct agent_opts *a, const char *node)
{
	print_opt(f, "backend", a->backend);
	print_opt(f, "lazy", a->lazy ? "true" : "false");
	print_num(f, "proc-interval", "%g", a->proc_interval);
	print_num(f, "ringbuf-kb", "%u", a->ringbuf_kb ?: RINGBUF_KB_DEFAULT);
	print_opt(f, "metrics-address", a->metrics_address);
	print_opt(f, "metrics-textfile", a->metrics_textfile);
	print_opt(f, "metrics-label", a->metrics_label);
	print_num(f, "metrics-label-max", "%lu", a->metrics_label_max);
	print_opt(f, "log-format", a->log_format);
	print_opt(f, "export", a->export);
	print_opt(f, "export-file", a->export_file);
	print_num(f, "export-max-mb", "%lu", a->export_max_mb);
	print_num(f, "export-backups", "%lu", a->export_backups);
	print_opt(f, "export-gzip", a->export_gzip ? "true" : "false");
	print_opt(f, "export-events", a->export_events);
	print_num(f, "export-queue", "%lu", a->export_queue);
	print_opt(f, "node-name", node);
}

static unsigned long long mono_ns(void);

/*
 * --backend: that source, or under auto each of select.c's table in turn
 * until one opens; each step down is counted (by the backend that failed
 * and why) and said once.  --lazy is a mode of BPF: under auto the
 * sources after it, which have no lazy mode, hook everything.
 */
static int open_source(struct pipeline *pl, const struct agent_opts *a)
{
	bool any = !strcmp(a->backend, "auto");
	const struct source_ops *ops, *next;
	size_t i;
	int err = -ENOENT;

	for (i = 0; (ops = source_nth(i)); i++) {
		struct source_opts so = {
			.lazy = a->lazy && (!any || (ops->caps & SOURCE_CAP_LAZY)),
			.ringbuf_kb = a->ringbuf_kb,
			.proc_interval_ms = a->proc_interval * 1000 + 0.5,
		};

		if (!any && strcmp(a->backend, ops->name))
			continue;
		if (source_check_opts("agent", ops, &so))
			return -EINVAL;
		err = pipeline_open(pl, "agent", ops, &so, true);
		if (!err) {
			const char *hook = ops->hook ? ops->hook(&pl->src) : NULL;

			/* BPF's own step down (said by the source itself). */
			if (hook && !strcmp(hook, "tracepoint"))
				metrics_note_fallback(AGENT_STEP_FENTRY, -EOPNOTSUPP);
			metrics_set_backend(ops->name, hook ? hook : "default");
			return 0;
		}
		pipeline_close(pl);
		memset(pl, 0, sizeof(*pl));
		next = source_nth(i + 1);
		if (!any) {
			alog(ALOG_ERROR, "--backend=%s failed (%s); not trying another "
			     "(--backend=auto would)", ops->name, strerror(-err));
			return err;
		}
		if (!next)
			break;
		metrics_note_fallback(ops->name, err);
		alog(ALOG_WARN, "backend %s failed (%s: %s); falling back to %s", ops->name,
		     metrics_fallback_reason(err), strerror(-err), next->name);
	}
	alog(ALOG_ERROR, "no backend could be opened");
	return err;
}

/* Resync: what a /proc snapshot taken at @since_ns says of a thread. */
struct resync {
	const struct snapshot *s;
	struct tracker *t;
	__u64 since_ns;
};

/* Keep a thread the snapshot shows tainted, or one tainted after it. */
static bool resync_keep(void *ctx, __u32 pid, __u32 tid)
{
	const struct resync *r = ctx;
	const struct tracked_thread *th = tracker_find(r->t, pid, tid);
	const struct snap_proc *p;
	size_t i;

	if (th && th->since_ns >= r->since_ns)
		return true;
	p = snapshot_find(r->s, pid);
	if (!p || p->err)
		return p && p->err;	/* unreadable: nothing known, kept */
	for (i = 0; i < p->nthreads; i++)
		if ((__u32)p->threads[i].tid == tid)
			return p->threads[i].tainted_mask != 0;
	return false;
}

/*
 * Set the tracker (the tainted threads now) from /proc again: at start
 * (threads tainted before the backend attached), and after records were
 * lost, when it may hold threads long restored or gone and miss new
 * ones.  What was queued before is passed on first; a thread tainted by
 * a record after the snapshot began stays.
 */
static void resync(struct pipeline *pl, enum resync_reason why)
{
	struct snapshot s;
	struct resync r = { .s = &s, .t = &pl->tr };
	int err;

	if (why != RESYNC_START)
		pipeline_sync(pl, AGENT_RESYNC_SYNC_MS);
	r.since_ns = mono_ns();
	err = snapshot_take_seed(&s);
	if (err) {
		alog(ALOG_WARN, "resync: cannot scan /proc: %s", strerror(-err));
		return;
	}
	tracker_prune(&pl->tr, resync_keep, &r);
	err = tracker_seed(&pl->tr, &s, 0);
	snapshot_free(&s);
	if (err)
		alog(ALOG_WARN, "resync: %s", strerror(-err));
	metrics_note_resync(why);
}

static int http_metrics(struct promtext *p, void *arg)
{
	return metrics_page(p);
}

static bool http_healthy(void *arg)
{
	unsigned long long last = metrics_last_tick_ns();

	return last && mono_ns() - last < AGENT_STALL_NS;
}

static bool http_ready(void *arg)
{
	/* The first tick comes after attach and the snapshot's seeding. */
	return metrics_last_tick_ns() != 0;
}

/* The page into PATH.tmp, then renamed over PATH: never half a file. */
static void write_textfile(const char *path)
{
	struct promtext p;
	char tmp[4096];
	FILE *f;

	promtext_init(&p);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (metrics_page(&p) || promtext_oom(&p))
		goto free_page;
	f = fopen(tmp, "we");
	if (!f)
		goto complain;
	if (fwrite(p.buf, 1, p.len, f) != p.len || fclose(f)) {
		unlink(tmp);
		goto complain;
	}
	if (rename(tmp, path) == 0)
		goto free_page;
	unlink(tmp);
complain:
	alog(ALOG_ERROR, "metrics textfile %s: %s", path, strerror(errno));
free_page:
	promtext_free(&p);
}

/* The counters a loss line reports, by stage, then resyncs. */
#define LOSS_NCOUNTS	(LOST_STAGE_COUNT + 1)

static void loss_counts(const struct pipeline *pl, unsigned long long *c)
{
	c[LOST_STAGE_KERNEL] = pl->counts.lost[LOST_STAGE_KERNEL];
	c[LOST_STAGE_QUEUE] = pl->counts.lost[LOST_STAGE_QUEUE];
	c[LOST_STAGE_EXPORT] = export_lost();
	c[LOST_STAGE_RING] = pl->counts.lost[LOST_STAGE_RING];
	c[LOST_STAGE_COUNT] = resyncs_done;
}

/* What was lost since the last such line, if anything: true if said. */
static bool log_losses(const struct pipeline *pl, unsigned long long *seen)
{
	unsigned long long now[LOSS_NCOUNTS];

	loss_counts(pl, now);
	if (!memcmp(now, seen, sizeof(now)))
		return false;
	alog(ALOG_WARN, "lost %llu records since the last loss line (kernel %llu, "
	     "user queue %llu, export %llu); %llu reports lost by full report "
	     "rings; %llu resyncs from /proc",
	     now[LOST_STAGE_KERNEL] + now[LOST_STAGE_QUEUE] + now[LOST_STAGE_EXPORT] -
	     seen[LOST_STAGE_KERNEL] - seen[LOST_STAGE_QUEUE] - seen[LOST_STAGE_EXPORT],
	     now[LOST_STAGE_KERNEL] - seen[LOST_STAGE_KERNEL],
	     now[LOST_STAGE_QUEUE] - seen[LOST_STAGE_QUEUE],
	     now[LOST_STAGE_EXPORT] - seen[LOST_STAGE_EXPORT],
	     now[LOST_STAGE_RING] - seen[LOST_STAGE_RING],
	     now[LOST_STAGE_COUNT] - seen[LOST_STAGE_COUNT]);
	memcpy(seen, now, sizeof(now));
	return true;
}

/*
 * A loss in the kernel or the user queue leaves the tracker wrong: one
 * resync, then none for AGENT_RESYNC_MIN_S (a storm that keeps losing
 * gets one resync per period, after the period, not one per loss).
 */
static void resync_after_loss(struct pipeline *pl, unsigned long long now,
			      unsigned long long *last, unsigned long long *seen)
{
	const unsigned long long *lost = pl->counts.lost;
	enum resync_reason why;

	if (lost[LOST_STAGE_KERNEL] == seen[0] && lost[LOST_STAGE_QUEUE] == seen[1])
		return;
	if (*last && now - *last < AGENT_RESYNC_MIN_S * 1000000000ULL)
		return;
	why = lost[LOST_STAGE_KERNEL] != seen[0] ? RESYNC_LOST_KERNEL : RESYNC_LOST_QUEUE;
	resync(pl, why);
	resyncs_done++;
	seen[0] = pl->counts.lost[LOST_STAGE_KERNEL];
	seen[1] = pl->counts.lost[LOST_STAGE_QUEUE];
	*last = mono_ns();
}

/*
 * The configuration in effect and where its strings live: a reload
 * (SIGHUP) parses a new one and keeps the old one's storage, which the
 * running parts may still point into, until exit.
 */
struct agent_cfg {
	struct agent_opts a;
	const char *node;
	char nodebuf[256];
	struct confile_args file;
	char **args;
	bool allocated;			/* a reload's: freed with free() */
	struct agent_cfg *older;
};

static struct agent_opts default_opts(void)
{
	return (struct agent_opts){
		.backend = "auto",
		.proc_interval = PROC_INTERVAL_MS_DEFAULT / 1000.0,
		.metrics_address = AGENT_METRICS_ADDRESS,
		.metrics_label = "none",
		.metrics_label_max = METRICS_COMM_MAX_DEFAULT,
		.log_format = "text",
		.export = "stdout",
		.export_max_mb = 10,
		.export_backups = 5,
		.export_queue = EXPORT_QUEUE_LEN,
	};
}

/* Defaults < --config FILE < @argv into @c: 0, or an exit status. */
static int load_cfg(struct agent_cfg *c, int argc, char **argv)
{
	const char *config = confile_find_arg(argc, argv, "config");
	int nargs = argc, rc;

	c->a = default_opts();
	c->args = argv;
	if (config) {
		if (confile_read("nstaint agent", config, opts, &c->file, stderr))
			return EXIT_ERROR;
		c->args = confile_merge(argc, argv, &c->file, &nargs);
		if (!c->args) {
			c->args = argv;
			fprintf(stderr, "nstaint agent: out of memory\n");
			return EXIT_ERROR;
		}
	}
	rc = parse_args(nargs, c->args, &c->a);
	if (!rc)
		c->node = envelope_node_name(c->a.node_name, c->nodebuf, sizeof(c->nodebuf));
	return rc;
}

static void free_cfg(struct agent_cfg *c, char **argv)
{
	while (c) {
		struct agent_cfg *older = c->older;

		if (c->args != argv)
			free(c->args);
		confile_free(&c->file);
		if (c->allocated)
			free(c);
		c = older;
	}
}

/* The options applied while running; the others need a restart. */
static const char *const reloadable[] = {
	"export-events", "node-name", "log-format", "metrics-textfile",
};

/* @was with the reloadable[] options of @now: what runs after a reload
 * (the others keep their value until a restart). */
static struct agent_opts reloaded(struct agent_opts was, const struct agent_opts *now)
{
	was.export_events = now->export_events;
	was.node_name = now->node_name;
	was.log_format = now->log_format;
	was.metrics_textfile = now->metrics_textfile;
	return was;
}

static bool is_reloadable(const char *name)
{
	for (size_t i = 0; i < sizeof(reloadable) / sizeof(reloadable[0]); i++)
		if (!strcmp(name, reloadable[i]))
			return true;
	return false;
}

/* Whether @text has @line as a whole line. */
static bool has_line(const char *text, const char *line)
{
	size_t len = strlen(line);
	const char *p;

	for (p = text; (p = strstr(p, line)); p++)
		if ((p == text || p[-1] == '\n') && (p[len] == '\n' || !p[len]))
			return true;
	return false;
}

/* --print-config's text of @c, to compare two configurations by line. */
static char *cfg_text(const struct agent_cfg *c)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	print_config(f, &c->a, c->node);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/*
 * SIGHUP: read --config again (the command line still wins), apply the
 * reloadable options, and say which changed ones need a restart.
 * *@cur becomes the new configuration; the old stays allocated.
 */
static void reload(struct agent_cfg **cur, int argc, char **argv)
{
	struct agent_cfg *n = calloc(1, sizeof(*n));
	char *was, *now, *line, *save;
	unsigned int events;
	bool home_moves;

	if (!n)
		return;
	n->allocated = true;
	if (load_cfg(n, argc, argv) ||
	    parse_events(n->a.export_events, &events, &home_moves)) {
		alog(ALOG_ERROR, "SIGHUP: configuration not reloaded (see above)");
		free_cfg(n, argv);
		return;
	}
	was = cfg_text(*cur);
	now = cfg_text(n);
	for (line = now ? strtok_r(now, "\n", &save) : NULL; line && was;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[64];
		const char *p = line[0] == '#' ? line + 2 : line;
		size_t len = strcspn(p, " ");

		if (has_line(was, line))
			continue;	/* unchanged */
		snprintf(name, sizeof(name), "%.*s", (int)len, p);
		if (is_reloadable(name))
			alog(ALOG_INFO, "SIGHUP: %s reloaded", name);
		else
			alog(ALOG_WARN, "SIGHUP: %s changed: restart to apply it", name);
	}
	free(was);
	free(now);
	export_set_filter(events, home_moves);
	export_set_node_name(n->node);
	alog_set_format(n->a.log_format);
	n->a = reloaded((*cur)->a, &n->a);
	n->older = *cur;
	*cur = n;
}

/* ev_print_counts' summary as a string for alog (static, or "?"). */
static const char *counts_text(const struct ev_counts *c)
{
	static char *buf;
	size_t len;
	FILE *f;

	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	if (!f)
		return "?";
	ev_print_counts(f, c);
	if (fclose(f))
		return "?";
	return buf;
}

/* What open_source can step down from: BPF's fentry, then every source
 * of the table but the last. */
static void fallback_steps(struct metrics_opts *mo)
{
	const struct source_ops *ops;

	mo->fallback_from[mo->nfrom++] = AGENT_STEP_FENTRY;
	for (size_t i = 0; mo->nfrom < METRICS_SOURCES_MAX && (ops = source_nth(i)) &&
	     source_nth(i + 1); i++)
		mo->fallback_from[mo->nfrom++] = ops->name;
}

static int run(struct agent_cfg **cfg, int argc, char **argv)
{
	const struct agent_opts *a = &(*cfg)->a;
	struct httpd_handlers h = { http_metrics, http_healthy, http_ready, NULL };
	unsigned long long t0, now, wd_usec, last_wd = 0, last_loss = 0, last_text = 0;
	unsigned long long last_resync = 0, loss_seen[LOSS_NCOUNTS] = { 0 };
	unsigned long long resync_seen[2] = { 0 };
	struct export_opts eo = {
		.path = !strcmp(a->export, "file") ? a->export_file : NULL,
		.max_bytes = a->export_max_mb << 20,
		.backups = a->export_backups,
		.gzip = a->export_gzip,
		.node_name = (*cfg)->node,
		.queue_len = a->export_queue,
	};
	struct metrics_opts mo = {
		.comm = !strcmp(a->metrics_label, "comm"),
		.comm_max = a->metrics_label_max,
	};
	struct pipeline pl = {};
	struct httpd *http = NULL;
	char errbuf[256];
	int err, ret = EXIT_CLEAN;

	if (parse_events(a->export_events, &eo.events, &eo.home_moves))
		return EXIT_ERROR;
	fallback_steps(&mo);
	export_configure(&eo);
	metrics_configure(&mo);
	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);
	signal(SIGHUP, on_hup);
	signal(SIGPIPE, SIG_IGN);

	err = open_source(&pl, a);
	if (err)
		return err == -EINVAL ? EXIT_ERROR : AGENT_EXIT_BACKEND;
	err = pipeline_add_sink(&pl, sink_find("metrics"), stdout);
	if (!err && strcmp(a->export, "none"))
		err = pipeline_add_sink(&pl, sink_find("export"), stdout);
	if (err)
		goto close_pipeline;
	/* Threads tainted before the backend attached. */
	resync(&pl, RESYNC_START);
	if (strcmp(a->metrics_address, "none")) {
		http = httpd_start(a->metrics_address, &h, errbuf, sizeof(errbuf));
		if (!http) {
			alog(ALOG_ERROR, "metrics: %s", errbuf);
			err = -EADDRNOTAVAIL;
			goto close_pipeline;
		}
		/* Tests and operators read the port here (":0" picks one). */
		alog(ALOG_INFO, "metrics on port %d", httpd_port(http));
	}
	alog(ALOG_INFO, "attached");

	wd_usec = sdnotify_watchdog_usec();
	t0 = mono_ns();
	while (!stop) {
		err = pipeline_run(&pl, 100, AGENT_RUN_BATCH);
		if (err < 0 && err != -EINTR) {
			alog(ALOG_ERROR, "reading records: %s", strerror(-err));
			ret = EXIT_ERROR;
			break;
		}
		now = mono_ns();
		/* READY once the first page exists: attached and seeded. */
		if (!last_wd && metrics_last_tick_ns()) {
			sdnotify("READY=1\nSTATUS=attached");
			last_wd = now;
		}
		if (wd_usec && last_wd && now - last_wd >= wd_usec * 1000 / 2) {
			sdnotify("WATCHDOG=1");
			last_wd = now;
		}
		if (hup) {
			hup = 0;
			alog(ALOG_INFO, "SIGHUP: export file reopened");
			reload(cfg, argc, argv);
			a = &(*cfg)->a;
		}
		resync_after_loss(&pl, now, &last_resync, resync_seen);
		/* The first loss at once, then a line a minute at most. */
		if ((!last_loss || now - last_loss >= AGENT_LOSS_LOG_S * 1000000000ULL) &&
		    log_losses(&pl, loss_seen))
			last_loss = now;
		if (a->metrics_textfile && now - last_text >= AGENT_TEXTFILE_S * 1000000000ULL &&
		    metrics_last_tick_ns()) {
			write_textfile(a->metrics_textfile);
			last_text = now;
		}
		if (a->duration && (now - t0) / 1e9 >= a->duration)
			break;
	}
	sdnotify("STOPPING=1");
	if (a->metrics_textfile)
		write_textfile(a->metrics_textfile);
	err = 0;
close_pipeline:
	httpd_stop(http);
	pipeline_close(&pl);
	log_losses(&pl, loss_seen);
	alog(ALOG_INFO, "%s; export lost %llu", counts_text(&pl.counts), export_lost());
	return err ? EXIT_ERROR : ret;
}

int cmd_agent(int argc, char **argv)
{
	struct agent_cfg first = { 0 }, *cfg = &first;
	int rc;

	rc = load_cfg(cfg, argc, argv);
	if (rc || cfg->a.help)
		goto free_cfg;
	if (cfg->a.print_config) {
		print_config(stdout, &cfg->a, cfg->node);
		rc = EXIT_CLEAN;
		goto free_cfg;
	}
	alog_set_format(cfg->a.log_format);
	rc = run(&cfg, argc, argv);
free_cfg:
	free_cfg(cfg, argv);
	return rc;
}
