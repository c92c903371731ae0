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
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

struct agent_opts {
	const char *backend;		/* auto, bpf, kmod */
	bool lazy;
	const char *metrics_address;	/* "none": no endpoint */
	const char *metrics_textfile;
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
	{ "metrics-address", required_argument, NULL, 'm' },
	{ "metrics-textfile", required_argument, NULL, 'T' },
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
"  -b, --backend NAME        record source: auto (default: bpf, then kmod),\n"
"                            bpf or kmod\n"
"      --lazy                BPF: hook no setns/unshare (see nstaint trace)\n"
"      --metrics-address A   serve /metrics, /healthz, /readyz on A\n"
"                            (numeric HOST:PORT; default %s; none: off)\n"
"      --metrics-textfile P  also write the metrics to P every %d s\n"
"                            (atomically, for node_exporter's textfile)\n"
"      --export WHERE        event lines to stdout (default), file or none\n"
"      --export-file PATH    the file for --export=file (mode 0600)\n"
"      --export-max-mb N     rotate the file at N MiB (default 10)\n"
"      --export-backups N    keep N rotated files (default 5)\n"
"      --export-gzip         compress rotated files\n"
"      --export-events LIST  event types to export, comma-separated, or\n"
"                            all (default: all but whole-process\n"
"                            ns_change, which are only counted)\n"
"      --node-name NAME      node_name of exported lines (default:\n"
"                            $NODE_NAME, else the host name)\n"
"  -d, --duration SEC        stop after SEC seconds\n"
"      --config FILE         options as 'long-option = value' lines;\n"
"                            the command line wins\n"
"      --print-config        print the options in effect and exit\n"
"  SIGHUP reopens the export file; SIGTERM and SIGINT stop.\n",
		AGENT_METRICS_ADDRESS, AGENT_TEXTFILE_S);
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

static int parse_args(int argc, char **argv, struct agent_opts *a)
{
	unsigned long v;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+b:d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			if (strcmp(optarg, "auto") && strcmp(optarg, "bpf") && strcmp(optarg, "kmod"))
				return bad("backend (auto, bpf or kmod)", optarg);
			a->backend = optarg;
			break;
		case 'L':
			a->lazy = true;
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
static void print_opt(const char *name, const char *val)
{
	if (val && *val)
		printf("%s = %s\n", name, val);
	else
		printf("# %s =\n", name);
}

static void print_config(const struct agent_opts *a, const char *node)
{
	char n[32];

	print_opt("backend", a->backend);
	print_opt("lazy", a->lazy ? "true" : "false");
	print_opt("metrics-address", a->metrics_address);
	print_opt("metrics-textfile", a->metrics_textfile);
	print_opt("export", a->export);
	print_opt("export-file", a->export_file);
	snprintf(n, sizeof(n), "%lu", a->export_max_mb);
	print_opt("export-max-mb", n);
	snprintf(n, sizeof(n), "%lu", a->export_backups);
	print_opt("export-backups", n);
	print_opt("export-gzip", a->export_gzip ? "true" : "false");
	print_opt("export-events", a->export_events);
	print_opt("node-name", node);
}

/* auto: BPF, then the module; each step down said once. */
static int open_source(struct pipeline *pl, const struct agent_opts *a)
{
	static const char *const order[] = { "bpf", "kmod" };
	struct source_opts so = { .lazy = a->lazy };
	const struct source_ops *ops;
	size_t i;
	int err = -ENOENT;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (strcmp(a->backend, "auto") && strcmp(a->backend, order[i]))
			continue;
		ops = source_find("agent", order[i]);
		if (!ops || source_check_opts("agent", ops, &so))
			return -EINVAL;
		err = pipeline_open(pl, "agent", ops, &so, true);
		if (!err) {
			metrics_set_backend(order[i], a->lazy ? "lazy" : "default");
			return 0;
		}
		pipeline_close(pl);
		memset(pl, 0, sizeof(*pl));
		if (!strcmp(a->backend, "auto") && i + 1 < sizeof(order) / sizeof(order[0]))
			fprintf(stderr, "nstaint agent: backend %s failed (%s); trying %s\n",
				order[i], strerror(-err), order[i + 1]);
	}
	return err;
}

static unsigned long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
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
	fprintf(stderr, "nstaint agent: metrics textfile %s: %s\n", path, strerror(errno));
free_page:
	promtext_free(&p);
}

/* At most once a minute: what was lost since the last such line. */
static void log_losses(const struct pipeline *pl, unsigned long long *seen)
{
	unsigned long long now[3] = {
		pl->counts.lost[LOST_STAGE_KERNEL], pl->counts.lost[LOST_STAGE_QUEUE],
		export_lost(),
	};

	if (now[0] == seen[0] && now[1] == seen[1] && now[2] == seen[2])
		return;
	fprintf(stderr, "nstaint agent: lost %llu records in the last minute (kernel %llu, "
		"user queue %llu, export %llu)\n",
		now[0] + now[1] + now[2] - seen[0] - seen[1] - seen[2],
		now[0] - seen[0], now[1] - seen[1], now[2] - seen[2]);
	memcpy(seen, now, sizeof(now));
}

static int run(const struct agent_opts *a, const char *node)
{
	struct httpd_handlers h = { http_metrics, http_healthy, http_ready, NULL };
	unsigned long long t0, now, wd_usec, last_wd = 0, last_loss = 0, last_text = 0;
	unsigned long long seen[3] = { 0 };
	struct export_opts eo = {
		.path = !strcmp(a->export, "file") ? a->export_file : NULL,
		.max_bytes = a->export_max_mb << 20,
		.backups = a->export_backups,
		.gzip = a->export_gzip,
		.node_name = node,
	};
	struct pipeline pl = {};
	struct httpd *http = NULL;
	char errbuf[256];
	int err, ret = EXIT_CLEAN;

	if (parse_events(a->export_events, &eo.events, &eo.home_moves))
		return EXIT_ERROR;
	export_configure(&eo);
	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);
	signal(SIGHUP, on_hup);
	signal(SIGPIPE, SIG_IGN);

	if (open_source(&pl, a))
		return EXIT_ERROR;
	err = pipeline_add_sink(&pl, sink_find("metrics"), stdout);
	if (!err && strcmp(a->export, "none"))
		err = pipeline_add_sink(&pl, sink_find("export"), stdout);
	if (err)
		goto close_pipeline;
	if (strcmp(a->metrics_address, "none")) {
		http = httpd_start(a->metrics_address, &h, errbuf, sizeof(errbuf));
		if (!http) {
			fprintf(stderr, "nstaint agent: metrics: %s\n", errbuf);
			err = -EADDRNOTAVAIL;
			goto close_pipeline;
		}
		/* Tests and operators read the port here (":0" picks one). */
		fprintf(stderr, "nstaint agent: metrics on port %d\n", httpd_port(http));
	}
	fprintf(stderr, "nstaint agent: attached\n");

	wd_usec = sdnotify_watchdog_usec();
	t0 = mono_ns();
	while (!stop) {
		err = pipeline_run(&pl, 100, AGENT_RUN_BATCH);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "nstaint agent: reading records: %s\n", strerror(-err));
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
			fprintf(stderr, "nstaint agent: SIGHUP: export file reopened\n");
		}
		if (now - last_loss >= AGENT_LOSS_LOG_S * 1000000000ULL) {
			log_losses(&pl, seen);
			last_loss = now;
		}
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
	fputs("nstaint agent: ", stderr);
	ev_print_counts(stderr, &pl.counts);
	fprintf(stderr, "; export lost %llu\n", export_lost());
	return err ? EXIT_ERROR : ret;
}

int cmd_agent(int argc, char **argv)
{
	struct agent_opts a = {
		.backend = "auto",
		.metrics_address = AGENT_METRICS_ADDRESS,
		.export = "stdout",
		.export_max_mb = 10,
		.export_backups = 5,
	};
	struct confile_args file = { 0 };
	const char *config, *node;
	char **args = argv, nodebuf[256];
	int nargs = argc, rc;

	config = confile_find_arg(argc, argv, "config");
	if (config) {
		if (confile_read("nstaint agent", config, opts, &file, stderr))
			return EXIT_ERROR;
		args = confile_merge(argc, argv, &file, &nargs);
		if (!args) {
			fprintf(stderr, "nstaint agent: out of memory\n");
			return EXIT_ERROR;
		}
	}
	rc = parse_args(nargs, args, &a);
	if (rc || a.help)
		goto free_args;
	node = envelope_node_name(a.node_name, nodebuf, sizeof(nodebuf));
	if (a.print_config) {
		print_config(&a, node);
		rc = EXIT_CLEAN;
		goto free_args;
	}
	rc = run(&a, node);
free_args:
	if (args != argv)
		free(args);
	confile_free(&file);
	return rc;
}
