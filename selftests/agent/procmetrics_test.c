// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of user/nstaint/agent/procmetrics: for an idle child process, the
 * process_* values we serve equal those of the official Python client's
 * ProcessCollector for the same pid (and resource.prlimit for the
 * address-space limit it lacks), as parsed back by its own parser.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "../../user/nstaint/agent/procmetrics.h"

static const char oracle_py[] =
	"import resource, sys\n"
	"from prometheus_client.process_collector import ProcessCollector\n"
	"pid = int(sys.argv[1])\n"
	"for m in ProcessCollector(pid=lambda: pid, registry=None).collect():\n"
	"    for s in m.samples:\n"
	"        print('sample %s {} %r' % (s.name, float(s.value)))\n"
	"soft = resource.prlimit(pid, resource.RLIMIT_AS)[0]\n"
	"print('sample process_virtual_memory_max_bytes {} %r' %\n"
	"      (float(2**64 - 1) if soft == resource.RLIM_INFINITY else float(soft)))\n";

static int run(const char *cmd, const char *in, char *out, size_t sz)
{
	char path[] = "/tmp/procmetrics_test.XXXXXX", full[512];
	size_t n;
	FILE *f;
	int fd;

	fd = mkstemp(path);
	if (fd < 0 || write(fd, in, strlen(in)) != (ssize_t)strlen(in))
		return -1;
	close(fd);
	snprintf(full, sizeof(full), "%s <%s", cmd, path);
	f = popen(full, "r");
	if (!f)
		return -1;
	n = fread(out, 1, sz - 1, f);
	out[n] = '\0';
	unlink(path);
	return pclose(f);
}

/* Wait until /proc/PID/stat shows state S (interruptible sleep). */
static int wait_sleeping(pid_t pid)
{
	char path[64], buf[512], *p;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (i = 0; i < 10000; i++) {
		FILE *f = fopen(path, "r");
		size_t n;

		if (!f)
			return -1;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		p = strrchr(buf, ')');
		if (p && p[1] == ' ' && p[2] == 'S')
			return 0;
		usleep(1000);
	}
	return -1;
}

/* The idle child's seven families: every one the oracle prints, with the
 * same value, is in our page. */
TEST(matches_python_client)
{
	char ours[4096], theirs[4096], cmd[128], *line, *save;
	struct promtext p;
	int pfd[2], status, n = 0;
	pid_t child;
	char c;

	ASSERT_EQ(0, pipe(pfd));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		close(pfd[1]);
		/* Idle until the parent closes the pipe: nothing moves. */
		_exit(read(pfd[0], &c, 1) == 0 ? 0 : 1);
	}
	close(pfd[0]);
	/* The kernel says when the child sleeps in its read: from then on
	 * none of its figures move. */
	ASSERT_EQ(0, wait_sleeping(child));

	promtext_init(&p);
	ASSERT_EQ(0, procmetrics_write(&p, child));
	ASSERT_EQ(0, run("/usr/bin/python3 selftests/lib/promparse.py", p.buf, ours,
			 sizeof(ours)));
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 - %d", child);
	{
		/* the oracle reads its program from stdin */
		char prog[1024];

		snprintf(prog, sizeof(prog), "%s", oracle_py);
		ASSERT_EQ(0, run(cmd, prog, theirs, sizeof(theirs)));
	}
	close(pfd[1]);
	ASSERT_EQ(child, waitpid(child, &status, 0));

	for (line = strtok_r(theirs, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char want[256];

		snprintf(want, sizeof(want), "%s\n", line);
		EXPECT_NE(NULL, strstr(ours, want)) TH_LOG("missing: %s\nours:\n%s", line, ours);
		n++;
	}
	EXPECT_EQ(7, n);
	promtext_free(&p);
}

/* A pid that does not exist: -ENOENT and nothing written. */
TEST(no_such_process)
{
	struct promtext p;

	promtext_init(&p);
	EXPECT_EQ(-ENOENT, procmetrics_write(&p, 4194304));
	EXPECT_EQ(0, p.len);
	promtext_free(&p);
}

TEST_HARNESS_MAIN
