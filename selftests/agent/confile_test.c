// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of user/nstaint/agent/confile: what the command line parser (glibc's
 * getopt_long, the oracle) ends up with after a file's options are put
 * in front of the command line's, and the messages for bad files.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "../../user/nstaint/agent/confile.h"

static const struct option opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "metrics-address", required_argument, NULL, 'm' },
	{ "export", required_argument, NULL, 'e' },
	{ "export-gzip", no_argument, NULL, 'z' },
	{ "node-name", required_argument, NULL, 'n' },
	{ "print-config", no_argument, NULL, 'P' },
	{ NULL, 0, NULL, 0 },
};

struct seen {
	char metrics[64], export[64], node[64];
	int gzip, print;
};

/* What getopt_long makes of @argv: the last value of each option wins. */
static int parse(int argc, char **argv, struct seen *s)
{
	int c;

	memset(s, 0, sizeof(*s));
	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'm': snprintf(s->metrics, sizeof(s->metrics), "%s", optarg); break;
		case 'e': snprintf(s->export, sizeof(s->export), "%s", optarg); break;
		case 'n': snprintf(s->node, sizeof(s->node), "%s", optarg); break;
		case 'z': s->gzip = 1; break;
		case 'P': s->print = 1; break;
		case 'c': break;
		default: return -1;
		}
	}
	return 0;
}

FIXTURE(conf) {
	char path[64];
	char msg[512];
	FILE *err;
	struct confile_args a;
};

FIXTURE_SETUP(conf)
{
	int fd;

	strcpy(self->path, "/tmp/confile_test.XXXXXX");
	fd = mkstemp(self->path);
	ASSERT_LE(0, fd);
	close(fd);
	self->err = fmemopen(self->msg, sizeof(self->msg), "w");
	ASSERT_NE(NULL, self->err);
	setvbuf(self->err, NULL, _IONBF, 0);
	memset(&self->a, 0, sizeof(self->a));
}

FIXTURE_TEARDOWN(conf)
{
	fclose(self->err);
	unlink(self->path);
	confile_free(&self->a);
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

/* defaults < file < flags: the file sets two values, the command line
 * overrides one of them, getopt sees the file's first. */
TEST_F(conf, precedence)
{
	char *argv[] = { "nstaint agent", "--metrics-address=127.0.0.1:9999", NULL };
	struct seen s;
	char **merged;
	int n;

	put(self->path, "metrics-address = 0.0.0.0:1\nexport = file\n");
	ASSERT_EQ(0, confile_read("nstaint agent", self->path, opts, &self->a, self->err));
	merged = confile_merge(2, argv, &self->a, &n);
	ASSERT_NE(NULL, merged);
	EXPECT_EQ(4, n);
	ASSERT_EQ(0, parse(n, merged, &s));
	EXPECT_STREQ("127.0.0.1:9999", s.metrics);
	EXPECT_STREQ("file", s.export);
	EXPECT_STREQ("", s.node);
	free(merged);
}

/* Comments, blank lines, blanks around '=', a leading "--", quoted values
 * keeping blanks and '#', and booleans (false leaves the flag out). */
TEST_F(conf, syntax)
{
	char *argv[] = { "x", NULL };
	struct seen s;
	char **merged;
	int n;

	put(self->path, "# agent\n\n  --node-name\t=  \" a # b \"   # trailing\n"
			"export-gzip = yes\nprint-config = false\nexport=stdout#c\n");
	ASSERT_EQ(0, confile_read("nstaint agent", self->path, opts, &self->a, self->err));
	EXPECT_EQ(3, self->a.argc);
	merged = confile_merge(1, argv, &self->a, &n);
	ASSERT_EQ(0, parse(n, merged, &s));
	EXPECT_STREQ(" a # b ", s.node);
	EXPECT_EQ(1, s.gzip);
	EXPECT_EQ(0, s.print);
	EXPECT_STREQ("stdout", s.export);
	EXPECT_STREQ("", self->msg);
	free(merged);
}

/* Each kind of bad line is refused with the command, the file and the
 * line number, and nothing of the file is kept. */
TEST_F(conf, errors_name_file_and_line)
{
	static const struct { const char *text, *msg; } cases[] = {
		{ "export = x\nbogus = 1\n", ":2: unknown option 'bogus'\n" },
		{ "export\n", ":1: expected 'option = value', got 'export'\n" },
		{ "export-gzip = maybe\n", ":1: 'export-gzip' takes true or false, not 'maybe'\n" },
		{ "\nnode-name =\n", ":2: 'node-name' needs a value\n" },
		{ "config = /etc/other\n", ":1: a configuration file cannot set option 'config'\n" },
		{ "node-name = \"a\n", ":1: unbalanced '\"' in the value of 'node-name'\n" },
	};
	char want[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		put(self->path, cases[i].text);
		rewind(self->err);
		memset(self->msg, 0, sizeof(self->msg));
		EXPECT_EQ(-EINVAL, confile_read("nstaint agent", self->path, opts, &self->a,
						self->err));
		snprintf(want, sizeof(want), "nstaint agent: %s%s", self->path, cases[i].msg);
		EXPECT_STREQ(want, self->msg);
		EXPECT_EQ(0, self->a.argc);
	}
}

/* A file that does not exist: -ENOENT and strerror's words. */
TEST_F(conf, missing_file)
{
	char want[128];

	EXPECT_EQ(-ENOENT, confile_read("nstaint agent", "/nonexistent/agent.conf", opts,
					&self->a, self->err));
	snprintf(want, sizeof(want), "nstaint agent: /nonexistent/agent.conf: %s\n",
		 strerror(ENOENT));
	EXPECT_STREQ(want, self->msg);
}

/* --config is found in either spelling, and not past "--". */
TEST_F(conf, find_arg)
{
	char *a1[] = { "x", "--config=/a", NULL };
	char *a2[] = { "x", "-j", "--config", "/b", NULL };
	char *a3[] = { "x", "--", "--config=/c", NULL };
	char *a4[] = { "x", "--configure=/d", NULL };

	EXPECT_STREQ("/a", confile_find_arg(2, a1, "config"));
	EXPECT_STREQ("/b", confile_find_arg(4, a2, "config"));
	EXPECT_EQ(NULL, confile_find_arg(3, a3, "config"));
	EXPECT_EQ(NULL, confile_find_arg(2, a4, "config"));
}

TEST_HARNESS_MAIN
