// SPDX-License-Identifier: GPL-2.0-only
/*
 * nstaint trace: live namespace events, as text lines or JSON lines
 * (field names of `nstaint ps --json`): a source, the pipeline, and the
 * text or json sink.  With `-- CMD` it runs CMD, follows its process
 * tree, and exits with CMD's status.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "cmd/cliopt.h"
#include "cmd/commands.h"
#include "model/evtable.h"
#include "pipeline/pipeline.h"
#include "sink/sink.h"
#include "source/select.h"

#define EXIT_FAIL_ON_TAINT	66
#define EXIT_FAIL_ON_RACE	66
/* Records passed on between checks of the child, the clock, signals. */
#define RUN_BATCH		4096

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static void usage(FILE *f)
{
	fputs("usage: nstaint trace [-p PID] [--json] [--duration SEC] "
	      "[--fail-on-taint]\n"
	      "                     [--fail-on-race] [--backend=bpf|kmod|proc]\n"
	      "                     [--ringbuf-kb KB] [--lazy]\n"
	      "                     [--exact] [-- CMD ARGS...]\n"
	      "Print namespace events live, one line each.\n"
	      "  -p, --pid PID       only process PID and its descendants\n"
	      "  -j, --json          JSON lines (field names of ps --json)\n"
	      "  -d, --duration SEC  stop after SEC seconds\n"
	      "  -f, --fail-on-taint exit 66 if a user task (goroutine) ran\n"
	      "                      unlocked on a tainted thread\n"
	      "      --fail-on-race  exit 66 if a process's report ring gave\n"
	      "                      a data race (mnrace)\n"
	      "  -b, --backend NAME  record source: bpf (default), kmod or proc\n"
	      "                      (/proc polling: changes between scans only)\n"
	      "      --ringbuf-kb KB BPF ring buffer size (default 4096, up\n"
	      "                      to 1048576): more rides out longer\n"
	      "                      bursts; overflow is reported as lost\n"
	      LAZY_HELP
	      "      --exact         also name tasks dispatched onto a tainted\n"
	      "                      thread that make no system call (hooks\n"
	      "                      the runtime's scheduler in processes with\n"
	      "                      a tainted thread, while they have one)\n"
	      "  -- CMD ARGS...      run CMD, follow its process tree, exit\n"
	      "                      with its status\n", f);
}

/* Fork CMD stopped on a pipe so it can be followed before it execs. */
static pid_t spawn_held(char **argv, int *go_fd)
{
	int fds[2];
	pid_t pid;
	char c;

	if (pipe2(fds, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(fds[1]);
		if (read(fds[0], &c, 1) != 1)
			_exit(127);
		execvp(argv[0], argv);
		fprintf(stderr, "nstaint: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	close(fds[0]);
	*go_fd = fds[1];
	return pid;
}

int cmd_trace(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "duration", required_argument, NULL, 'd' },
		{ "fail-on-taint", no_argument, NULL, 'f' },
		{ "fail-on-race", no_argument, NULL, 'r' },
		{ "backend", required_argument, NULL, 'b' },
		{ "ringbuf-kb", required_argument, NULL, 'R' },
		{ "lazy", no_argument, NULL, 'L' },
		{ "exact", no_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct source_opts so = {};
	struct pipeline pl = {};
	const struct source_ops *ops;
	bool json = false;
	const char *backend_name = NULL;
	double duration = 0;
	bool fail_on_taint = false, fail_on_race = false;
	int c, err, status = 0, go_fd = -1, ret = EXIT_CLEAN;
	pid_t child = 0, pid = 0;
	struct timespec t0, now;

	while ((c = getopt_long(argc, argv, "+p:jd:fb:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (!cliopt_pid("trace", optarg, &pid))
				return EXIT_ERROR;
			if (kill(pid, 0) && errno == ESRCH) {
				fprintf(stderr,
					"nstaint trace: no process %d\n", pid);
				return EXIT_ERROR;
			}
			break;
		case 'j':
			json = true;
			break;
		case 'd':
			if (!cliopt_duration("trace", optarg, &duration))
				return EXIT_ERROR;
			break;
		case 'f':
			fail_on_taint = true;
			break;
		case 'r':
			fail_on_race = true;
			break;
		case 'b':
			backend_name = optarg;
			break;
		case 'R':
			if (!cliopt_ringbuf_kb("trace", optarg, RINGBUF_KB_MAX,
					       &so.ringbuf_kb))
				return EXIT_ERROR;
			break;
		case 'L':
			so.lazy = true;
			break;
		case 'E':
			so.exact = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_CLEAN;
		default:
			usage(stderr);
			return EXIT_ERROR;
		}
	}
	if (pid && optind < argc) {
		fprintf(stderr, "nstaint trace: -p and -- CMD exclude each "
			"other\n");
		return EXIT_ERROR;
	}
	ops = source_find("trace", backend_name);
	if (!ops || source_check_opts("trace", ops, &so))
		return EXIT_ERROR;
	if (optind < argc) {
		child = spawn_held(argv + optind, &go_fd);
		if (child < 0) {
			perror("nstaint trace: fork");
			return EXIT_ERROR;
		}
		pid = child;
	}
	so.follow_pid = pid;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	err = pipeline_open(&pl, "trace", ops, &so, true);
	if (!err)
		err = pipeline_add_sink(&pl, sink_find(json ? "json" : "text"),
					stdout);
	if (err) {
		pipeline_close(&pl);
		if (child) {
			kill(child, SIGKILL);
			waitpid(child, NULL, 0);
		}
		return EXIT_ERROR;
	}
	/* Scripts wait for this line before they start what is traced. */
	if (pid)
		fprintf(stderr, "nstaint trace: attached, following pid %d\n",
			pid);
	else
		fprintf(stderr, "nstaint trace: attached, all processes\n");
	if (child && stop) {
		/* Stopped while loading: CMD never started; it will not. */
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		close(go_fd);
		fprintf(stderr, "nstaint trace: stopped before %s started\n",
			argv[optind]);
		child = 0;
		ret = EXIT_ERROR;
	} else if (child) {
		/* Attached: let CMD exec. */
		if (write(go_fd, "g", 1) != 1)
			perror("nstaint trace: start command");
		close(go_fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!stop) {
		err = pipeline_run(&pl, 100, RUN_BATCH);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "nstaint trace: reading records: %s\n",
				strerror(-err));
			ret = EXIT_ERROR;
			break;
		}
		if (child && waitpid(child, &status, WNOHANG) == child) {
			/* What the tree produced is passed on at close. */
			child = -1;
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (duration && (now.tv_sec - t0.tv_sec) +
		    (now.tv_nsec - t0.tv_nsec) / 1e9 >= duration)
			break;
	}
	pipeline_close(&pl);

	fputs("nstaint trace: ", stderr);
	ev_print_counts(stderr, &pl.counts);
	fprintf(stderr, "\nnstaint trace: lost by stage: kernel %llu, user "
		"queue %llu; %llu stacks not symbolized (queue above "
		"high water)\n", pl.counts.lost[LOST_STAGE_KERNEL],
		pl.counts.lost[LOST_STAGE_QUEUE], pl.raw_stacks);
	fputs("nstaint trace: reports: ", stderr);
	ev_print_report_counts(stderr, &pl.counts);
	fputc('\n', stderr);
	if (child > 0) {
		/* Stopped early (signal, duration): CMD keeps running. */
		fprintf(stderr, "nstaint trace: stopped; %d still runs\n",
			child);
	}
	if (ret == EXIT_ERROR)
		return ret;
	/* The bug is a user task running unlocked on a tainted thread; a
	 * thread tainted and used only while locked is legal. */
	if (fail_on_taint && pl.counts.n[NSTAINT_EV_TASK_ON_TAINTED_THREAD])
		return EXIT_FAIL_ON_TAINT;
	if (fail_on_race && pl.counts.rep.kind[MN_RING_DATA_RACE])
		return EXIT_FAIL_ON_RACE;
	if (child == -1)
		return WIFEXITED(status) ? WEXITSTATUS(status) :
		       128 + WTERMSIG(status);
	return ret;
}
