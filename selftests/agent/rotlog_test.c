// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of user/nstaint/agent/rotlog: the files on disk, read back with stat(2),
 * plain reads and gzip(1) (not with rotlog), hold whole lines, stay under
 * their size bound, keep at most the configured backups, are mode 0600,
 * and together hold the newest lines in order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "../../user/nstaint/agent/rotlog.h"

FIXTURE(rot) {
	char dir[64];
	char path[128];
	char cmd[512];
	struct rotlog r;
};

FIXTURE_SETUP(rot)
{
	strcpy(self->dir, "/tmp/rotlog_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->path, sizeof(self->path), "%s/events.json", self->dir);
}

FIXTURE_TEARDOWN(rot)
{
	rotlog_close(&self->r);
	snprintf(self->cmd, sizeof(self->cmd), "rm -rf '%s'", self->dir);
	if (system(self->cmd))
		TH_LOG("could not remove %s", self->dir);
}

/* Line @i: fixed-width so the size arithmetic below is exact. */
static int line(char *buf, size_t sz, int i)
{
	return snprintf(buf, sz, "{\"seq\":%06d,\"pad\":\"xxxxxxxxxxxxxxxxxx\"}\n", i);
}

#define LINE_LEN 42	/* strlen of line() */

/*
 * Read every line of every file, oldest first (PATH.N .. PATH.1, PATH),
 * through cat or gzip -dc, and check they are the lines @first..@last
 * in order, each whole.  Returns the number of lines, -1 on a mismatch.
 */
static int check_sequence(const char *path, unsigned int backups, bool gz, int *first)
{
	char cmd[1024] = "", part[300], buf[256];
	unsigned int k;
	int n = 0, seq, prev = -1;
	FILE *f;

	for (k = backups; k >= 1; k--) {
		snprintf(part, sizeof(part), "test -e %s.%u%s && %s %s.%u%s; ", path, k,
			 gz ? ".gz" : "", gz ? "gzip -dc" : "cat", path, k, gz ? ".gz" : "");
		strcat(cmd, part);
	}
	snprintf(part, sizeof(part), "cat %s", path);
	strcat(cmd, part);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (fgets(buf, sizeof(buf), f)) {
		if (strlen(buf) != LINE_LEN || sscanf(buf, "{\"seq\":%d,", &seq) != 1 ||
		    (prev >= 0 && seq != prev + 1)) {
			pclose(f);
			return -1;
		}
		if (prev < 0)
			*first = seq;
		prev = seq;
		n++;
	}
	pclose(f);
	return n;
}

static long long file_size(const char *p)
{
	struct stat st;

	return stat(p, &st) ? -1 : st.st_size;
}

static int file_mode(const char *p)
{
	struct stat st;

	return stat(p, &st) ? -1 : (int)(st.st_mode & 07777);
}

/* 1000 lines through a 10-line bound with 3 backups: 4 files of at most
 * 10 lines, the newest lines 961..999 complete and in order, nothing
 * older kept, every file 0600. */
TEST_F(rot, rotates_plain)
{
	char buf[128], name[160];
	int i, n, first = -1;

	ASSERT_EQ(0, rotlog_open(&self->r, self->path, 10 * LINE_LEN, 3, false));
	for (i = 0; i < 1000; i++)
		ASSERT_EQ(0, rotlog_write(&self->r, buf, line(buf, sizeof(buf), i)));
	n = check_sequence(self->path, 3, false, &first);
	EXPECT_EQ(40, n);
	EXPECT_EQ(960, first);
	EXPECT_EQ(10 * LINE_LEN, file_size(self->path));
	for (i = 1; i <= 3; i++) {
		snprintf(name, sizeof(name), "%s.%d", self->path, i);
		EXPECT_EQ(10 * LINE_LEN, file_size(name));
		EXPECT_EQ(0600, file_mode(name));
	}
	snprintf(name, sizeof(name), "%s.4", self->path);
	EXPECT_EQ(-1, file_size(name));
	EXPECT_EQ(0600, file_mode(self->path));
	EXPECT_EQ(99, self->r.rotations);
}

/* The same compressed: every backup is a valid gzip (gzip -t) holding
 * whole lines, and the sequence across them is unbroken. */
TEST_F(rot, rotates_gzip)
{
	char buf[128], name[160];
	int i, first = -1;

	ASSERT_EQ(0, rotlog_open(&self->r, self->path, 10 * LINE_LEN, 2, true));
	for (i = 0; i < 95; i++)
		ASSERT_EQ(0, rotlog_write(&self->r, buf, line(buf, sizeof(buf), i)));
	EXPECT_EQ(25, check_sequence(self->path, 2, true, &first));
	EXPECT_EQ(70, first);
	for (i = 1; i <= 2; i++) {
		snprintf(self->cmd, sizeof(self->cmd), "gzip -t %s.%d.gz", self->path, i);
		EXPECT_EQ(0, system(self->cmd));
		snprintf(name, sizeof(name), "%s.%d.gz", self->path, i);
		EXPECT_EQ(0600, file_mode(name));
		snprintf(name, sizeof(name), "%s.%d", self->path, i);
		EXPECT_EQ(-1, file_size(name));	/* only the .gz stays */
	}
	snprintf(self->cmd, sizeof(self->cmd), "ls %s | grep -c tmp >/dev/null", self->dir);
	EXPECT_NE(0, system(self->cmd));	/* no temporary left */
}

/* logrotate's way: the file is renamed away, then a reopen starts a new
 * PATH; the renamed one keeps what was written before, nothing lost. */
TEST_F(rot, reopen_after_rename)
{
	char buf[128], moved[160];
	int first = -1;

	ASSERT_EQ(0, rotlog_open(&self->r, self->path, 1 << 20, 1, false));
	ASSERT_EQ(0, rotlog_write(&self->r, buf, line(buf, sizeof(buf), 0)));
	snprintf(moved, sizeof(moved), "%s.1", self->path);
	ASSERT_EQ(0, rename(self->path, moved));
	ASSERT_EQ(0, rotlog_write(&self->r, buf, line(buf, sizeof(buf), 1)));	/* old inode */
	ASSERT_EQ(0, rotlog_reopen(&self->r));
	ASSERT_EQ(0, rotlog_write(&self->r, buf, line(buf, sizeof(buf), 2)));
	EXPECT_EQ(2 * LINE_LEN, file_size(moved));
	EXPECT_EQ(LINE_LEN, file_size(self->path));
	EXPECT_EQ(3, check_sequence(self->path, 1, false, &first));
	EXPECT_EQ(0, first);
}

/* Appending to an existing file counts its size: the bound holds across
 * a restart of the agent. */
TEST_F(rot, existing_size_counts)
{
	char buf[128];
	int i;

	ASSERT_EQ(0, rotlog_open(&self->r, self->path, 4 * LINE_LEN, 1, false));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, rotlog_write(&self->r, buf, line(buf, sizeof(buf), i)));
	rotlog_close(&self->r);
	ASSERT_EQ(0, rotlog_open(&self->r, self->path, 4 * LINE_LEN, 1, false));
	EXPECT_EQ(3 * LINE_LEN, self->r.size);
	for (i = 3; i < 6; i++)
		ASSERT_EQ(0, rotlog_write(&self->r, buf, line(buf, sizeof(buf), i)));
	EXPECT_EQ(2 * LINE_LEN, file_size(self->path));
	EXPECT_EQ(1, self->r.rotations);
}

/* No backups: the file is started afresh, never grows past the bound. */
TEST_F(rot, zero_backups)
{
	char buf[128];
	int i, first = -1;

	ASSERT_EQ(0, rotlog_open(&self->r, self->path, 5 * LINE_LEN, 0, false));
	for (i = 0; i < 12; i++)
		ASSERT_EQ(0, rotlog_write(&self->r, buf, line(buf, sizeof(buf), i)));
	EXPECT_EQ(2, check_sequence(self->path, 0, false, &first));
	EXPECT_EQ(10, first);
}

/* A full disk (RLIMIT_FSIZE stands in: the kernel cuts the write short,
 * then refuses it) leaves no partial line behind. */
TEST_F(rot, short_write_undone)
{
	char buf[128];
	int i, err = 0, first = -1;
	pid_t pid;
	int status;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct rlimit rl = { 3 * LINE_LEN + 10, 3 * LINE_LEN + 10 };

		signal(SIGXFSZ, SIG_IGN);
		if (rotlog_open(&self->r, self->path, 1 << 20, 1, false) ||
		    setrlimit(RLIMIT_FSIZE, &rl))
			_exit(2);
		for (i = 0; i < 5 && !err; i++)
			err = rotlog_write(&self->r, buf, line(buf, sizeof(buf), i));
		_exit(err == -EFBIG || err == -ENOSPC ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(3 * LINE_LEN, file_size(self->path));
	EXPECT_EQ(3, check_sequence(self->path, 0, false, &first));
}

TEST_HARNESS_MAIN
