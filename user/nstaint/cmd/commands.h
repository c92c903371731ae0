/* SPDX-License-Identifier: GPL-2.0-only */
/* The nstaint subcommands; each parses its own arguments (argv[0] is the
 * subcommand name) and returns the process exit status. */
#ifndef NSTAINT_COMMANDS_H
#define NSTAINT_COMMANDS_H

/* Exit statuses shared by all subcommands. */
#define EXIT_CLEAN	0	/* nothing tainted */
#define EXIT_TAINTED	1	/* tainted threads found */
#define EXIT_ERROR	2	/* usage error, no such pid, ... */

int cmd_ps(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_agent(int argc, char **argv);

#endif
