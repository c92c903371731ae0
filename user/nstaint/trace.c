// SPDX-License-Identifier: GPL-2.0-only
/*
 * nstaint trace: namespace changes, tainted threads and the user tasks that
 * run on them, live, one line per record.
 */
#include <argp.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "backend_select.h"
#include "commands.h"
#include "evfmt.h"
#include "tracker.h"

#define EXIT_TASK_ON_TAINTED	66

static struct trace_env {
	pid_t pid;
	int json;
	long duration;
	int fail_on_taint;
	const char *backend;
} env;

enum { OPT_FAIL = 0x100, OPT_BACKEND, OPT_DURATION };

static const char trace_doc[] =
"Show namespace changes of threads as they happen, which threads are left\n"
"tainted (their namespaces differ from their process's home set), and the\n"
"user tasks (goroutines) that run unlocked on tainted threads.\n"
"\n"
"With -- CMD, run CMD, follow its whole process tree, stop when it exits and\n"
"exit with its status (--fail-on-taint: 66 if a task ran on a tainted\n"
"thread).  Records the kernel could not deliver are reported as `lost`.\n"
"\n"
"EXAMPLES:\n"
"    nstaint trace                          # every process on the host\n"
"    nstaint trace -p 1234 --json           # process 1234 and its children\n"
"    nstaint trace --fail-on-taint -- go test ./...\n";

static const struct argp_option trace_opts[] = {
	{ "pid", 'p', "PID", 0, "Only this process and the processes it creates", 0 },
	{ "json", 'j', NULL, 0, "One JSON object per line (docs/trace.md)", 0 },
	{ "duration", OPT_DURATION, "SEC", 0, "Stop after SEC seconds", 0 },
	{ "fail-on-taint", OPT_FAIL, NULL, 0,
	  "Exit 66 if a task ran on a tainted thread; print a summary", 0 },
	{ "backend", OPT_BACKEND, "NAME", 0, "Record source: bpf (default) or kmod", 0 },
	{},
};

static error_t trace_parse(int key, char *arg, struct argp_state *state)
{
	char *end;
	long v;

	switch (key) {
	case 'p':
		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || *end || v <= 0 || v > INT_MAX)
			argp_error(state, "invalid PID: %s", arg);
		env.pid = (pid_t)v;
		break;
	case 'j':
		env.json = 1;
		break;
	case OPT_DURATION:
		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || *end || v <= 0)
			argp_error(state, "invalid duration: %s", arg);
		env.duration = v;
		break;
	case OPT_FAIL:
		env.fail_on_taint = 1;
		break;
	case OPT_BACKEND:
		env.backend = arg;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument: %s (a command goes after --)", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	stopping = 1;
}

static struct tracker tracker;

static int print_event(void *ctx, const struct nstaint_event *ev)
{
	tracker_update(&tracker, ev);
	if (env.json)
		evfmt_json(stdout, ev);
	else
		evfmt_text(stdout, ev);
	return 0;
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Fork @argv stopped on a pipe; it execs once the tracer is attached. */
static pid_t spawn(char **argv, int *release_fd)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			_exit(127);
		execvp(argv[0], argv);
		fprintf(stderr, "nstaint trace: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	close(p[0]);
	*release_fd = p[1];
	return pid;
}

/* The file execvp(@name) would run, so Go offsets are set before it runs. */
static char *resolve_exe(const char *name)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	if (strchr(name, '/'))
		return strdup(name);
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, n ? path : ".", name);
		if (!access(buf, X_OK))
			return strdup(buf);
		path += n + (path[n] == ':');
	}
	return NULL;
}

static void summary(void)
{
	FILE *f = stderr;

	fprintf(f, "nstaint trace: %llu namespace change%s, %llu thread%s tainted, "
		"%llu restored, %llu clone%s from tainted threads, "
		"%llu task%s on tainted threads, %llu lost\n",
		(unsigned long long)tracker.counts[NSTAINT_EV_NS_CHANGE],
		tracker.counts[NSTAINT_EV_NS_CHANGE] == 1 ? "" : "s",
		(unsigned long long)tracker.counts[NSTAINT_EV_THREAD_TAINTED],
		tracker.counts[NSTAINT_EV_THREAD_TAINTED] == 1 ? "" : "s",
		(unsigned long long)tracker.counts[NSTAINT_EV_THREAD_RESTORED],
		(unsigned long long)tracker.counts[NSTAINT_EV_CLONE_FROM_TAINTED],
		tracker.counts[NSTAINT_EV_CLONE_FROM_TAINTED] == 1 ? "" : "s",
		(unsigned long long)tracker.counts[NSTAINT_EV_TASK_ON_TAINTED_THREAD],
		tracker.counts[NSTAINT_EV_TASK_ON_TAINTED_THREAD] == 1 ? "" : "s",
		(unsigned long long)tracker.lost);
}

int cmd_trace(int argc, char **argv)
{
	const struct argp argp = { trace_opts, trace_parse, NULL, trace_doc, NULL, NULL, NULL };
	char **cmd = NULL;
	struct backend b;
	int i, err, status = 0, release_fd = -1, ret = EXIT_CLEAN, child_done = 0;
	pid_t child = 0;
	__u64 deadline = 0;
	struct sigaction sa = { .sa_handler = on_signal };

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			argv[i] = NULL;
			cmd = &argv[i + 1];
			argc = i;
			break;
		}
	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return EXIT_ERROR;
	if (cmd && !cmd[0]) {
		fprintf(stderr, "nstaint trace: no command after --\n");
		return EXIT_ERROR;
	}
	if (cmd && env.pid) {
		fprintf(stderr, "nstaint trace: -p and -- CMD exclude each other\n");
		return EXIT_ERROR;
	}
	if (env.pid && kill(env.pid, 0) && errno == ESRCH) {
		fprintf(stderr, "nstaint trace: no such process: %d\n", env.pid);
		return EXIT_ERROR;
	}
	if (backend_select(&b, env.backend))
		return EXIT_ERROR;
	setvbuf(stdout, NULL, _IOLBF, 0);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (cmd) {
		child = spawn(cmd, &release_fd);
		if (child < 0) {
			fprintf(stderr, "nstaint trace: fork: %s\n", strerror(errno));
			return EXIT_ERROR;
		}
		backend_scope.root = child;
		backend_scope.exe = resolve_exe(cmd[0]);
	} else {
		backend_scope.root = env.pid;
	}
	err = b.ops->open(&b);
	if (err) {
		if (child) {
			close(release_fd);	/* child exits 127 unexec'd */
			waitpid(child, NULL, 0);
		}
		return EXIT_ERROR;
	}
	if (!env.json)
		fprintf(stderr, "nstaint trace: tracing %s with the %s backend%s\n",
			child ? "the command" : env.pid ? "the process" : "all processes",
			b.ops->name, child || env.duration ? "" : "; Ctrl-C to stop");
	if (child) {
		if (write(release_fd, "x", 1) != 1) {
			fprintf(stderr, "nstaint trace: cannot start the command\n");
			ret = EXIT_ERROR;
		}
		close(release_fd);
	}
	if (env.duration)
		deadline = now_ns() + env.duration * 1000000000ULL;

	while (!stopping && ret == EXIT_CLEAN) {
		err = b.ops->poll(&b, 100, print_event, NULL);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "nstaint trace: reading records: %s\n", strerror(-err));
			ret = EXIT_ERROR;
			break;
		}
		if (child && waitpid(child, &status, WNOHANG) == child) {
			child_done = 1;
			break;
		}
		if (env.pid && kill(env.pid, 0) && errno == ESRCH)
			break;
		if (deadline && now_ns() >= deadline)
			break;
	}
	/* Drain what the kernel produced before the command ended. */
	while (b.ops->poll(&b, 0, print_event, NULL) > 0)
		;
	b.ops->close(&b);

	if (child && !child_done) {
		kill(child, SIGTERM);
		waitpid(child, &status, 0);
	}
	if (env.fail_on_taint || !env.json)
		summary();
	if (ret != EXIT_CLEAN)
		return ret;
	if (env.fail_on_taint && tracker.counts[NSTAINT_EV_TASK_ON_TAINTED_THREAD]) {
		fprintf(stderr, "nstaint trace: FAIL: user tasks ran on tainted threads\n");
		for (size_t k = 0; k < tracker.n; k++) {
			const struct tracked_thread *th = &tracker.threads[k];

			if (th->ntasks)
				fprintf(stderr, "  pid %u tid %u: %zu task%s, owner %llu\n",
					th->pid, th->tid, th->ntasks, th->ntasks == 1 ? "" : "s",
					(unsigned long long)th->owner_id);
		}
		return EXIT_TASK_ON_TAINTED;
	}
	if (child) {
		if (WIFEXITED(status))
			return WEXITSTATUS(status);
		if (WIFSIGNALED(status))
			return 128 + WTERMSIG(status);
	}
	return EXIT_CLEAN;
}
