// SPDX-License-Identifier: GPL-2.0-only
/*
 * nstaint top: a live table of tainted threads.  Plain text (no color, only
 * "clear screen" and "home" escapes, none when stdout is not a terminal), so
 * it works over plain ssh; q quits.
 */
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "backend_select.h"
#include "commands.h"
#include "nsset.h"
#include "strout.h"
#include "tracker.h"

static struct top_env {
	pid_t pid;
	long interval;
	long iterations;
	const char *backend;
} env = { .interval = 1 };

enum { OPT_BACKEND = 0x100 };

static const char top_doc[] =
"A live table of tainted threads: pid, tid, comm, namespaces that differ\n"
"from home, owner task, unlocked tasks seen on the thread, time since it\n"
"was tainted.  Press q to quit.\n";

static const struct argp_option top_opts[] = {
	{ "pid", 'p', "PID", 0, "Only this process and the processes it creates", 0 },
	{ "interval", 'd', "SEC", 0, "Refresh every SEC seconds (default 1)", 0 },
	{ "iterations", 'n', "N", 0, "Stop after N refreshes", 0 },
	{ "backend", OPT_BACKEND, "NAME", 0, "Record source: bpf (default) or kmod", 0 },
	{},
};

static error_t top_parse(int key, char *arg, struct argp_state *state)
{
	char *end;
	long v;

	switch (key) {
	case 'p':
	case 'd':
	case 'n':
		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || *end || v <= 0 || v > INT_MAX)
			argp_error(state, "invalid number: %s", arg);
		if (key == 'p')
			env.pid = (pid_t)v;
		else if (key == 'd')
			env.interval = v;
		else
			env.iterations = v;
		break;
	case OPT_BACKEND:
		env.backend = arg;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument: %s", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static struct tracker tracker;
static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	stopping = 1;
}

static int on_event(void *ctx, const struct nstaint_event *ev)
{
	tracker_update(&tracker, ev);
	return 0;
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void draw(int tty)
{
	__u64 now = now_ns();

	if (tty)
		fputs("\033[H\033[J", stdout);
	printf("nstaint top - %zu tainted thread%s, %llu lost  (q quits)\n\n",
	       tracker.n, tracker.n == 1 ? "" : "s", (unsigned long long)tracker.lost);
	printf("%-8s %-8s %-16s %-24s %-10s %-6s %s\n", "PID", "TID", "COMM",
	       "NAMESPACES", "OWNER", "TASKS", "TAINTED");
	for (size_t i = 0; i < tracker.n; i++) {
		const struct tracked_thread *th = &tracker.threads[i];
		char ns[64] = "", owner[24] = "-", age[24] = "before start";
		size_t l = 0;

		for (int k = 0; k < NSTAINT_NS_COUNT; k++)
			if (th->mask & NSTAINT_NS_BIT(k))
				l += snprintf(ns + l, sizeof(ns) - l > 0 ? sizeof(ns) - l : 0,
					      "%s%s:%u", l ? "," : "", ns_names[k], th->ns[k]);
		if (th->owner_kind)
			snprintf(owner, sizeof(owner), "go:%llu",
				 (unsigned long long)th->owner_id);
		if (th->since_ns)
			snprintf(age, sizeof(age), "%llus ago",
				 (unsigned long long)((now - th->since_ns) / 1000000000ULL));
		printf("%-8u %-8u ", th->pid, th->tid);
		fput_text(stdout, th->comm);
		printf("%*s %-24s %-10s %-6zu %s\n",
		       (int)(16 - (strlen(th->comm) < 16 ? strlen(th->comm) : 16)), "",
		       ns[0] ? ns : "-", owner, th->ntasks, age);
	}
	fflush(stdout);
}

/*
 * Threads tainted before we started come from the /proc snapshot in the
 * backend's maps, but records only flow on changes: seed the table from the
 * same snapshot so they show at once.
 */
#include "snapshot.h"
static void seed_table(void)
{
	struct snapshot s;

	if (snapshot_take(&s, "/proc", env.pid))
		return;
	for (size_t i = 0; i < s.nprocs; i++)
		for (size_t j = 0; !s.procs[i].err && j < s.procs[i].nthreads; j++) {
			const struct snap_thread *t = &s.procs[i].threads[j];
			struct nstaint_event ev = {
				.type = NSTAINT_EV_THREAD_TAINTED,
				.cause = NSTAINT_CAUSE_SNAPSHOT,
				.pid = s.procs[i].pid,
				.tid = t->tid,
				.tainted_mask = t->tainted_mask,
			};

			if (!t->tainted_mask)
				continue;
			memcpy(ev.comm, t->comm, sizeof(ev.comm));
			memcpy(ev.ns_new, t->ns.ino, sizeof(ev.ns_new));
			memcpy(ev.ns_home, s.procs[i].home.ino, sizeof(ev.ns_home));
			tracker_update(&tracker, &ev);
		}
	snapshot_free(&s);
	memset(tracker.counts, 0, sizeof(tracker.counts));
}

int cmd_top(int argc, char **argv)
{
	const struct argp argp = { top_opts, top_parse, NULL, top_doc, NULL, NULL, NULL };
	struct sigaction sa = { .sa_handler = on_signal };
	struct termios old, raw;
	int tty_in = isatty(0), tty_out = isatty(1), err, n = 0;
	struct backend b;

	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return EXIT_ERROR;
	if (backend_select(&b, env.backend))
		return EXIT_ERROR;
	backend_scope.root = env.pid;
	if (b.ops->open(&b))
		return EXIT_ERROR;
	seed_table();
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (tty_in && !tcgetattr(0, &old)) {
		raw = old;
		raw.c_lflag &= ~(ICANON | ECHO);
		tcsetattr(0, TCSANOW, &raw);
	}
	while (!stopping) {
		__u64 until = now_ns() + env.interval * 1000000000ULL;

		draw(tty_out);
		if (env.iterations && ++n >= env.iterations)
			break;
		while (!stopping && now_ns() < until) {
			struct pollfd pfd = { .fd = 0, .events = POLLIN };

			err = b.ops->poll(&b, 50, on_event, NULL);
			if (err < 0 && err != -EINTR) {
				stopping = 1;
				break;
			}
			if (tty_in && poll(&pfd, 1, 0) == 1) {
				char c;

				if (read(0, &c, 1) == 1 && (c == 'q' || c == 'Q'))
					stopping = 1;
			}
		}
	}
	if (tty_in)
		tcsetattr(0, TCSANOW, &old);
	b.ops->close(&b);
	tracker_free(&tracker);
	return EXIT_CLEAN;
}
