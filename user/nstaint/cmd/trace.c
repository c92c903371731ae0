// SPDX-License-Identifier: GPL-2.0-only
/*
 * nstaint trace: live namespace events from a backend, as text lines or
 * JSON lines (field names of `nstaint ps --json`).  With `-- CMD` it runs
 * CMD, follows its process tree, and exits with CMD's status.
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

#include "source/select.h"
#include "cmd/cliopt.h"
#include "cmd/commands.h"
#include "common/nsset.h"
#include "model/record.h"
#include "common/strout.h"
#include "model/syscalls.h"
#include "sym/ustack.h"

#define EXIT_FAIL_ON_TAINT	66

static const char *const ev_names[NSTAINT_EV_TYPE_COUNT] = {
	[NSTAINT_EV_NONE] = "none",
	[NSTAINT_EV_NS_CHANGE] = "ns_change",
	[NSTAINT_EV_THREAD_TAINTED] = "thread_tainted",
	[NSTAINT_EV_THREAD_RESTORED] = "thread_restored",
	[NSTAINT_EV_CLONE_FROM_TAINTED] = "clone_from_tainted",
	[NSTAINT_EV_TASK_ON_TAINTED_THREAD] = "task_on_tainted_thread",
	[NSTAINT_EV_THREAD_EXIT] = "thread_exit",
	[NSTAINT_EV_LOST] = "lost",
	[NSTAINT_EV_TASK_SUMMARY] = "task_summary",
};

static const char *const cause_names[] = {
	"unknown", "setns", "unshare", "clone", "exec", "exit", "creds",
	"snapshot", "sched", "syscall", "dispatch",
};

/*
 * Why a `lost` record's records were dropped (enum nstaint_lost_reason):
 * its JSON "reason" and the words of the text line.
 */
static const struct {
	const char *json, *text;
} lost_reasons[NSTAINT_LOST_REASON_COUNT] = {
	[NSTAINT_LOST_UNKNOWN] = { "unknown", "reason unknown" },
	[NSTAINT_LOST_RINGBUF] = { "ringbuf", "ring buffer full" },
	[NSTAINT_LOST_TAINTED_FULL] = { "tainted_full",
					"tainted-thread table full" },
	[NSTAINT_LOST_SEEN_FULL] = { "seen_full", "dedup table full" },
};

static __u32 lost_reason(const struct nstaint_event *e)
{
	return e->lost_reason < NSTAINT_LOST_REASON_COUNT ? e->lost_reason :
	       NSTAINT_LOST_UNKNOWN;
}

/* JSON value of task_kind / owner_kind (enum nstaint_task_kind). */
static const char *task_kind_name(__u32 kind)
{
	return kind == NSTAINT_TASK_GO ? "go" :
	       kind == NSTAINT_TASK_LIBMN ? "libmn" : "none";
}

struct trace_state {
	bool json;
	unsigned long counts[NSTAINT_EV_TYPE_COUNT];
	unsigned long long lost;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static void json_set(FILE *f, const char *key, const __u32 *ino)
{
	fprintf(f, ",\"%s\":{", key);
	for (int i = 0; i < NSTAINT_NS_COUNT; i++)
		fprintf(f, "%s\"%s\":%u", i ? "," : "", ns_names[i], ino[i]);
	fputc('}', f);
}

static void json_mask(FILE *f, const char *key, unsigned int mask)
{
	bool first = true;

	fprintf(f, ",\"%s\":[", key);
	for (int i = 0; i < NSTAINT_NS_COUNT; i++) {
		if (!(mask & NSTAINT_NS_BIT(i)))
			continue;
		fprintf(f, "%s\"%s\"", first ? "" : ",", ns_names[i]);
		first = false;
	}
	fputc(']', f);
}

static void print_json(FILE *f, const struct nstaint_event *e)
{
	char comm[NSTAINT_COMM_LEN + 1];

	memcpy(comm, e->comm, NSTAINT_COMM_LEN);
	comm[NSTAINT_COMM_LEN] = 0;
	fprintf(f, "{\"event\":\"%s\",\"time\":%llu.%09llu",
		ev_names[e->type],
		(unsigned long long)(e->ts_ns / 1000000000ULL),
		(unsigned long long)(e->ts_ns % 1000000000ULL));
	if (e->type == NSTAINT_EV_LOST) {
		fprintf(f, ",\"reason\":\"%s\",\"count\":%llu}\n",
			lost_reasons[lost_reason(e)].json,
			(unsigned long long)e->count);
		return;
	}
	fprintf(f, ",\"pid\":%u,\"tid\":%u,\"comm\":", e->pid, e->tid);
	fput_json_str(f, comm);
	fprintf(f, ",\"cause\":\"%s\"",
		e->cause < sizeof(cause_names) / sizeof(cause_names[0]) ?
		cause_names[e->cause] : "unknown");
	json_set(f, "ns", e->ns_new);
	json_set(f, "ns_old", e->ns_old);
	json_set(f, "home", e->ns_home);
	json_mask(f, "differs", e->tainted_mask);
	json_mask(f, "changed", e->changed_mask);
	/* Seen at a switch (--lazy): no system call, no return value. */
	if (e->type == NSTAINT_EV_NS_CHANGE && e->cause != NSTAINT_CAUSE_SCHED)
		fprintf(f, ",\"ret\":%d", e->ret);
	if (e->type == NSTAINT_EV_NS_CHANGE)
		fprintf(f, ",\"home_moved\":%s",
			e->flags & NSTAINT_F_HOME_MOVED ? "true" : "false");
	if (e->cause == NSTAINT_CAUSE_CLONE)
		fprintf(f, ",\"parent_tid\":%u,\"new_process\":%s",
			e->parent_tid,
			e->flags & NSTAINT_F_NEW_PROCESS ? "true" : "false");
	if (e->task_kind)
		fprintf(f, ",\"task_kind\":\"%s\",\"task_id\":%llu,"
			"\"count\":%llu", task_kind_name(e->task_kind),
			(unsigned long long)e->task_id,
			(unsigned long long)e->count);
	if (e->syscall_nr >= 0)
		fprintf(f, ",\"syscall\":\"%s\",\"syscall_nr\":%d",
			syscall_name(e->syscall_nr) ?: "unknown",
			e->syscall_nr);
	if (e->owner_kind)
		fprintf(f, ",\"owner_kind\":\"%s\",\"owner_id\":%llu,"
			"\"owner_locked\":%s", task_kind_name(e->owner_kind),
			(unsigned long long)e->owner_id,
			e->flags & NSTAINT_F_TASK_LOCKED ? "true" : "false");
	ustack_print_json(f, e);
	fputs("}\n", f);
}

/* "goroutine 335" / "libmn task 7" */
static void fput_task(FILE *f, __u32 kind, __u64 id)
{
	fprintf(f, "%s %llu", kind == NSTAINT_TASK_GO ? "goroutine" :
		"libmn task", (unsigned long long)id);
}

/*
 * A user task on a tainted thread, in words: what it did there (called
 * which system call, was running at a switch, was dispatched onto it),
 * how often (task_summary), then the namespaces that differ, the process
 * and the owner; the stack of the call under it.
 */
static void print_task_text(FILE *f, const struct nstaint_event *e,
			    const char *comm)
{
	bool summary = e->type == NSTAINT_EV_TASK_SUMMARY;
	unsigned long long n = e->count;
	const char *sep = " (", *times = n == 1 ? "time" : "times";

	fprintf(f, "%-22s ", ev_names[e->type]);
	fput_task(f, e->task_kind, e->task_id);
	if (e->syscall_nr >= 0) {
		const char *name = syscall_name(e->syscall_nr);

		if (name)
			fprintf(f, " called %s()", name);
		else
			fprintf(f, " called system call %d", e->syscall_nr);
		if (summary)
			fprintf(f, " %llu %s", n, times);
		fputs(" on", f);
	} else if (e->cause == NSTAINT_CAUSE_DISPATCH) {
		fputs(summary ? " was dispatched" : " was dispatched onto", f);
		if (summary)
			fprintf(f, " %llu %s onto", n, times);
	} else if (summary) {
		fprintf(f, " was seen %llu %s at context switches on", n,
			times);
	} else {
		fputs(" was running at a context switch on", f);
	}
	fprintf(f, " tainted thread %u", e->tid);
	for (int i = 0; i < NSTAINT_NS_COUNT; i++) {
		if (!(e->tainted_mask & NSTAINT_NS_BIT(i)))
			continue;
		fprintf(f, "%s%s %u, home %u", sep, ns_names[i], e->ns_new[i],
			e->ns_home[i]);
		sep = "; ";
	}
	if (sep[0] == ';')
		fputc(')', f);
	fprintf(f, " pid=%u comm=", e->pid);
	fput_text(f, comm);
	if (e->owner_kind) {
		fputs(" owner=", f);
		fput_task(f, e->owner_kind, e->owner_id);
	}
	fputc('\n', f);
	ustack_print_text(f, e);
}

static void print_text(FILE *f, const struct nstaint_event *e)
{
	char comm[NSTAINT_COMM_LEN + 1];
	unsigned int mask;

	if (e->type == NSTAINT_EV_LOST) {
		fprintf(f, "%-22s %llu records dropped (%s)\n", "lost",
			(unsigned long long)e->count,
			lost_reasons[lost_reason(e)].text);
		return;
	}
	memcpy(comm, e->comm, NSTAINT_COMM_LEN);
	comm[NSTAINT_COMM_LEN] = 0;
	if ((e->type == NSTAINT_EV_TASK_ON_TAINTED_THREAD ||
	     e->type == NSTAINT_EV_TASK_SUMMARY) && e->task_kind) {
		print_task_text(f, e, comm);
		return;
	}
	fprintf(f, "%-22s pid=%u tid=%u comm=", ev_names[e->type], e->pid,
		e->tid);
	fput_text(f, comm);
	fprintf(f, " cause=%s", e->cause < sizeof(cause_names) /
		sizeof(cause_names[0]) ? cause_names[e->cause] : "unknown");
	mask = e->type == NSTAINT_EV_NS_CHANGE ? e->changed_mask :
	       e->tainted_mask;
	for (int i = 0; i < NSTAINT_NS_COUNT; i++) {
		if (!(mask & NSTAINT_NS_BIT(i)))
			continue;
		if (e->type == NSTAINT_EV_NS_CHANGE)
			fprintf(f, " %s:%u->%u", ns_names[i], e->ns_old[i],
				e->ns_new[i]);
		else
			fprintf(f, " %s:%u(home %u)", ns_names[i],
				e->ns_new[i], e->ns_home[i]);
	}
	if (e->type == NSTAINT_EV_NS_CHANGE && e->flags & NSTAINT_F_HOME_MOVED)
		fputs(" home_moved", f);
	if (e->task_kind)
		fprintf(f, " %s=%llu", e->task_kind == NSTAINT_TASK_GO ?
			"goroutine" : "task", (unsigned long long)e->task_id);
	if (e->owner_kind)
		fprintf(f, " owner=%s:%llu%s", e->owner_kind ==
			NSTAINT_TASK_GO ? "goroutine" : "task",
			(unsigned long long)e->owner_id,
			e->flags & NSTAINT_F_TASK_LOCKED ? "(locked)" : "");
	if (e->cause == NSTAINT_CAUSE_CLONE)
		fprintf(f, " parent_tid=%u%s", e->parent_tid,
			e->flags & NSTAINT_F_NEW_PROCESS ? " new_process" : "");
	fputc('\n', f);
	ustack_print_text(f, e);
}

static int on_event(void *ctx, const struct nstaint_event *e)
{
	struct trace_state *ts = ctx;

	if (!record_valid(e))
		return 0;
	ts->counts[e->type]++;
	if (e->type == NSTAINT_EV_LOST)
		ts->lost += e->count;
	if (ts->json)
		print_json(stdout, e);
	else
		print_text(stdout, e);
	fflush(stdout);
	return 0;
}

static void usage(FILE *f)
{
	fputs("usage: nstaint trace [-p PID] [--json] [--duration SEC] "
	      "[--fail-on-taint]\n"
	      "                     [--backend=bpf|kmod] [--ringbuf-kb KB] "
	      "[--lazy]\n"
	      "                     [--exact] [-- CMD ARGS...]\n"
	      "Print namespace events live, one line each.\n"
	      "  -p, --pid PID       only process PID and its descendants\n"
	      "  -j, --json          JSON lines (field names of ps --json)\n"
	      "  -d, --duration SEC  stop after SEC seconds\n"
	      "  -f, --fail-on-taint exit 66 if a user task (goroutine) ran\n"
	      "                      unlocked on a tainted thread\n"
	      "  -b, --backend NAME  record source: bpf (default) or kmod\n"
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
		{ "backend", required_argument, NULL, 'b' },
		{ "ringbuf-kb", required_argument, NULL, 'R' },
		{ "lazy", no_argument, NULL, 'L' },
		{ "exact", no_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct trace_state ts = {};
	const char *backend_name = NULL;
	struct backend b = {};
	double duration = 0;
	bool fail_on_taint = false;
	int c, err, status = 0, go_fd = -1, ret = EXIT_CLEAN;
	pid_t child = 0, pid = 0;
	struct timespec t0, now;
	char *end;

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
			ts.json = true;
			break;
		case 'd':
			duration = strtod(optarg, &end);
			if (*end || duration <= 0) {
				fprintf(stderr, "nstaint trace: bad duration "
					"'%s'\n", optarg);
				return EXIT_ERROR;
			}
			break;
		case 'f':
			fail_on_taint = true;
			break;
		case 'b':
			backend_name = optarg;
			break;
		case 'R':
			errno = 0;
			bpf_backend_opts.ringbuf_kb = strtoul(optarg, &end, 10);
			if (errno || *end || optarg[0] == '-' ||
			    !bpf_backend_opts.ringbuf_kb ||
			    bpf_backend_opts.ringbuf_kb > RINGBUF_KB_MAX) {
				fprintf(stderr, "nstaint trace: bad ring buffer "
					"size '%s' (1 to %u KiB)\n", optarg,
					RINGBUF_KB_MAX);
				return EXIT_ERROR;
			}
			break;
		case 'L':
			bpf_backend_opts.lazy = true;
			break;
		case 'E':
			bpf_backend_opts.exact = true;
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
	b.ops = backend_find(backend_name);
	if (!b.ops || lazy_check_backend("trace", b.ops))
		return EXIT_ERROR;
	if (bpf_backend_opts.exact && strcmp(b.ops->name, "bpf")) {
		fprintf(stderr, "nstaint trace: --exact needs the bpf backend\n");
		return EXIT_ERROR;
	}
	if (optind < argc) {
		child = spawn_held(argv + optind, &go_fd);
		if (child < 0) {
			perror("nstaint trace: fork");
			return EXIT_ERROR;
		}
		pid = child;
	}
	bpf_backend_opts.follow_pid = pid;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	err = b.ops->open(&b);
	if (err) {
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
		err = b.ops->poll(&b, 100, on_event, &ts);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "nstaint trace: reading records: %s\n",
				strerror(-err));
			ret = EXIT_ERROR;
			break;
		}
		if (child && waitpid(child, &status, WNOHANG) == child) {
			/* Drain what the tree produced before exiting. */
			while (b.ops->poll(&b, 0, on_event, &ts) > 0)
				;
			child = -1;
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (duration && (now.tv_sec - t0.tv_sec) +
		    (now.tv_nsec - t0.tv_nsec) / 1e9 >= duration)
			break;
	}
	b.ops->close(&b);

	fprintf(stderr, "nstaint trace: %lu ns_change, %lu thread_tainted, "
		"%lu thread_restored, %lu clone_from_tainted, "
		"%lu task_on_tainted_thread, %lu thread_exit, %llu lost, "
		"%lu task_summary\n",
		ts.counts[NSTAINT_EV_NS_CHANGE],
		ts.counts[NSTAINT_EV_THREAD_TAINTED],
		ts.counts[NSTAINT_EV_THREAD_RESTORED],
		ts.counts[NSTAINT_EV_CLONE_FROM_TAINTED],
		ts.counts[NSTAINT_EV_TASK_ON_TAINTED_THREAD],
		ts.counts[NSTAINT_EV_THREAD_EXIT], ts.lost,
		ts.counts[NSTAINT_EV_TASK_SUMMARY]);
	if (child > 0) {
		/* Stopped early (signal, duration): CMD keeps running. */
		fprintf(stderr, "nstaint trace: stopped; %d still runs\n",
			child);
	}
	if (ret == EXIT_ERROR)
		return ret;
	/* The bug is a user task running unlocked on a tainted thread; a
	 * thread tainted and used only while locked is legal. */
	if (fail_on_taint && ts.counts[NSTAINT_EV_TASK_ON_TAINTED_THREAD])
		return EXIT_FAIL_ON_TAINT;
	if (child == -1)
		return WIFEXITED(status) ? WEXITSTATUS(status) :
		       128 + WTERMSIG(status);
	return ret;
}
