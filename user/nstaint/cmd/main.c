// SPDX-License-Identifier: GPL-2.0-only
/*
 * nstaint: find threads left in the wrong namespace, and the user tasks
 * (goroutines, libmn tasks) that ran on them.
 */
#include <argp.h>
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"

#ifndef NSTAINT_VERSION
#define NSTAINT_VERSION "0.1"
#endif

const char *argp_program_version = "nstaint " NSTAINT_VERSION;
const char *argp_program_bug_address = "the nstaint issue tracker";

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "ps", cmd_ps, "list tainted threads now, from /proc" },
	{ "trace", cmd_trace, "print namespace events live (BPF)" },
	{ "top", cmd_top, "live table of tainted threads and the tasks on them" },
	{ "agent", cmd_agent, "node agent: Prometheus metrics, JSON event export" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: nstaint COMMAND [OPTION...]\n\n"
		   "Find threads whose namespaces differ from their process's, and\n"
		   "the user tasks that ran on them.\n\nCommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'nstaint COMMAND --help' describes a command.\n");
}

int main(int argc, char **argv)
{
	size_t i;

	argp_err_exit_status = EXIT_ERROR;
	if (argc < 2) {
		usage(stderr);
		return EXIT_ERROR;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_CLEAN;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		puts(argp_program_version);
		return EXIT_CLEAN;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "nstaint: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return EXIT_ERROR;
}
