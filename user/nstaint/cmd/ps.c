// SPDX-License-Identifier: GPL-2.0-only
/*
 * nstaint ps: the tainted threads of the host, from a snapshot (a BPF task
 * iterator, or /proc).
 */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cliopt.h"
#include "cmd/commands.h"
#include "source/snapshot_iter.h"
#include "common/nsjson.h"
#include "common/strout.h"

static struct ps_env {
	pid_t pid;
	int all;
	int json;
	int verbose;
	const char *procfs;
	enum snap_from from;
} env = {
	.procfs = "/proc",
};

enum { OPT_PROCFS = 0x100 };

static const char ps_doc[] =
"List threads whose namespaces differ from their process's home set.\n"
"\n"
"The home set of a running process is the namespace set most of its threads\n"
"hold (on a tie: the parent's, then the leader's).  A thread that differs is\n"
"tainted: user tasks scheduled on it run in the wrong namespace.\n"
"\n"
"Exit status: 0 nothing tainted, 1 tainted threads found, 2 error.\n"
"\n"
"EXAMPLES:\n"
"    nstaint ps             # tainted threads on this host\n"
"    nstaint ps -p 1234     # only process 1234\n"
"    nstaint ps --all -j    # every thread's namespace set, as JSON lines\n"
"    nstaint ps -b proc     # read /proc even where BPF is available\n";

static const struct argp_option ps_opts[] = {
	{ "pid", 'p', "PID", 0, "Only this process", 0 },
	{ "all", 'a', NULL, 0, "Every thread with its namespace set, tainted or not", 0 },
	{ "json", 'j', NULL, 0, "One JSON object per line (docs/ps.md)", 0 },
	{ "verbose", 'v', NULL, 0, "Name each process that could not be read, "
	  "and why the BPF iterator was not used", 0 },
	{ "backend", 'b', "NAME", 0, "Where threads are read: auto (default: the "
	  "BPF task iterator where it loads, else /proc), bpf or proc", 0 },
	{ "proc", OPT_PROCFS, "DIR", OPTION_HIDDEN, "procfs mount point", 0 },
	{},
};

static error_t ps_parse(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'p':
		/* Says why; argp adds its "Try ... --help" and exits 2. */
		if (!cliopt_pid("ps", arg, &env.pid))
			argp_state_help(state, stderr, ARGP_HELP_STD_ERR);
		break;
	case 'a':
		env.all = 1;
		break;
	case 'j':
		env.json = 1;
		break;
	case 'v':
		env.verbose = 1;
		break;
	case 'b':
		if (!snap_from_parse(arg, &env.from)) {
			fprintf(stderr, "nstaint ps: bad backend '%s' "
				"(auto, bpf or proc)\n", arg);
			argp_state_help(state, stderr, ARGP_HELP_STD_ERR);
		}
		break;
	case OPT_PROCFS:
		env.procfs = arg;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument: %s", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static void print_json(const struct snap_proc *p, const struct snap_thread *t)
{
	printf("{\"pid\":%d,\"tid\":%d,\"comm\":", p->pid, t->tid);
	fput_json_str(stdout, t->comm);
	printf(",\"tainted\":%s,\"differs\":", t->tainted_mask ? "true" : "false");
	fput_json_nsmask(stdout, t->tainted_mask);
	printf(",\"ns\":");
	fput_json_nsset(stdout, t->ns.ino);
	printf(",\"home\":");
	fput_json_nsset(stdout, p->home.ino);
	printf("}\n");
}

/* Tainted view: one row per namespace that differs. */
static void print_text_tainted(const struct snap_proc *p,
			       const struct snap_thread *t)
{
	int i;

	for (i = 0; i < NSTAINT_NS_COUNT; i++) {
		if (!(t->tainted_mask & NSTAINT_NS_BIT(i)))
			continue;
		printf("%-8d %-8d %-6s %-11u %-11u ", p->pid, t->tid,
		       ns_names[i], t->ns.ino[i], p->home.ino[i]);
		fput_text(stdout, t->comm);
		putchar('\n');
	}
}

/* --all view: one row per thread, its whole set; '*' marks a type that
 * differs from home. */
static void print_text_all(const struct snap_proc *p,
			   const struct snap_thread *t)
{
	int i;

	printf("%-8d %-8d %-7s", p->pid, t->tid,
	       t->tainted_mask ? "TAINTED" : "-");
	for (i = 0; i < NSTAINT_NS_COUNT; i++)
		printf(" %10u%c", t->ns.ino[i],
		       t->tainted_mask & NSTAINT_NS_BIT(i) ? '*' : ' ');
	putchar(' ');
	fput_text(stdout, t->comm);
	putchar('\n');
}

static void print_header(void)
{
	int i;

	if (!env.all) {
		printf("%-8s %-8s %-6s %-11s %-11s %s\n", "PID", "TID", "NS",
		       "THREAD", "HOME", "COMM");
		return;
	}
	printf("%-8s %-8s %-7s", "PID", "TID", "STATE");
	for (i = 0; i < NSTAINT_NS_COUNT; i++)
		printf(" %10s ", ns_names[i]);
	printf(" COMM\n");
}

int cmd_ps(int argc, char **argv)
{
	const struct argp argp = { ps_opts, ps_parse, NULL, ps_doc, NULL, NULL, NULL };
	size_t i, j, nthreads = 0, ntainted = 0, nproc_tainted = 0;
	enum snap_from used;
	struct snapshot s;
	int err, bpf_err, header = 0;

	/* argp names the program after argv[0]: "nstaint ps: ...". */
	argv[0] = (char *)"nstaint ps";
	err = argp_parse(&argp, argc, argv, 0, NULL, NULL);
	if (err)
		return EXIT_ERROR;

	/* Only --all shows the comm of untainted threads. */
	err = snapshot_take_from(&s, env.from, env.procfs, env.pid,
				 env.all ? 0 : SNAP_COMM_TAINTED, &used, &bpf_err);
	if (env.verbose && bpf_err)
		fprintf(stderr, "nstaint ps: reading %s: the BPF task iterator "
			"did not load: %s\n", env.procfs, strerror(-bpf_err));
	if (err == -ESRCH) {
		fprintf(stderr, "nstaint ps: no such process: %d\n", env.pid);
		return EXIT_ERROR;
	}
	if (err && used == SNAP_FROM_BPF) {
		fprintf(stderr, "nstaint ps: cannot run the BPF task iterator: %s%s\n",
			strerror(-err), geteuid() ? " (run as root, or -b proc)" : "");
		return EXIT_ERROR;
	}
	if (err) {
		fprintf(stderr, "nstaint ps: cannot scan %s: %s\n", env.procfs,
			strerror(-err));
		return EXIT_ERROR;
	}
	if (env.pid && s.unreadable) {
		fprintf(stderr, "nstaint ps: cannot read process %d: %s%s\n",
			env.pid, strerror(s.first_err),
			s.first_err == EACCES ? " (run as root, or as its owner)" : "");
		snapshot_free(&s);
		return EXIT_ERROR;
	}

	for (i = 0; i < s.nprocs; i++) {
		const struct snap_proc *p = &s.procs[i];
		int proc_tainted = 0;

		if (p->err) {
			if (env.verbose)
				fprintf(stderr, "nstaint ps: cannot read process %d: %s\n",
					p->pid, strerror(p->err));
			continue;
		}
		for (j = 0; j < p->nthreads; j++) {
			const struct snap_thread *t = &p->threads[j];

			nthreads++;
			if (t->tainted_mask) {
				ntainted++;
				proc_tainted = 1;
			} else if (!env.all) {
				continue;
			}
			if (env.json) {
				print_json(p, t);
				continue;
			}
			if (!header++)
				print_header();
			if (env.all)
				print_text_all(p, t);
			else
				print_text_tainted(p, t);
		}
		nproc_tainted += proc_tainted;
	}
	fflush(stdout);

	if (s.unreadable)
		fprintf(stderr,
			"nstaint ps: could not read %zu process%s (%s)%s\n",
			s.unreadable, s.unreadable == 1 ? "" : "es",
			strerror(s.first_err),
			s.first_err != EACCES ? "; -v names them" :
			geteuid() ? "; run as root to include them" :
			"; they hold capabilities this process lacks");
	if (!env.json)
		fprintf(stderr, "nstaint ps: %zu tainted thread%s in %zu process%s "
			"(%zu processes, %zu threads scanned)\n",
			ntainted, ntainted == 1 ? "" : "s",
			nproc_tainted, nproc_tainted == 1 ? "" : "es",
			s.nprocs - s.unreadable, nthreads);
	snapshot_free(&s);
	return ntainted ? EXIT_TAINTED : EXIT_CLEAN;
}
