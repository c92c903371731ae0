// SPDX-License-Identifier: GPL-2.0-only
/*
 * nstaint ps against processes whose threads we move ourselves.
 *
 * A forked "mover" child creates threads that each make one namespace move,
 * then waits to be killed.  The truth is read with stat(2) on
 * the /proc/PID/task/TID/ns links and compared with what `nstaint ps --json`
 * prints, parsed with json-c.
 */
#include <json-c/json.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "run.h"

#define MAX_THREADS 16
#define NOBODY 65534

enum move {
	M_NONE,
	M_UNSHARE_NET,
	M_UNSHARE_UTS,
	M_SETNS_NET,		/* into the netns of step .arg's thread */
	M_UNSHARE_FS_MNT,
	M_MOVE_BACK,		/* unshare netns, then setns to the saved one */
};

struct step {
	enum move move;
	int arg;
	const char *name;	/* thread name, NULL: keep */
};

/* Mover flags. */
#define F_WHOLE_FIRST	(1 << 0) /* unshare netns before any thread */
#define F_TO_NOBODY	(1 << 1) /* then become uid nobody, dumpable */
#define F_CHURN		(1 << 2) /* then create/exit threads forever */
#define F_LEADER_UTS	(1 << 3) /* the leader unshares uts after the rest */

/* Shared with the mover child. */
struct mover_shm {
	const struct step *steps;
	int nsteps;
	pid_t tids[MAX_THREADS];
	int err[MAX_THREADS];	/* errno of the move, 0 if it worked */
	sem_t done;		/* posted by each thread after its move */
};

static struct mover_shm *shm;

static int do_move(const struct step *s)
{
	char path[64];
	int fd, r = 0;

	switch (s->move) {
	case M_NONE:
		break;
	case M_UNSHARE_NET:
		r = unshare(CLONE_NEWNET);
		break;
	case M_UNSHARE_UTS:
		r = unshare(CLONE_NEWUTS);
		break;
	case M_SETNS_NET:
		snprintf(path, sizeof(path), "/proc/self/task/%d/ns/net",
			 shm->tids[s->arg]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return errno;
		r = setns(fd, CLONE_NEWNET);
		close(fd);
		break;
	case M_UNSHARE_FS_MNT:
		r = unshare(CLONE_FS | CLONE_NEWNS);
		break;
	case M_MOVE_BACK:
		fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return errno;
		r = unshare(CLONE_NEWNET);
		if (!r)
			r = setns(fd, CLONE_NEWNET);
		close(fd);
		break;
	}
	return r ? errno : 0;
}

static void *mover_thread(void *arg)
{
	int i = (int)(long)arg;
	const struct step *s = &shm->steps[i];

	if (s->name)
		prctl(PR_SET_NAME, s->name);
	shm->tids[i] = syscall(SYS_gettid);
	shm->err[i] = do_move(s);
	sem_post(&shm->done);
	for (;;)
		pause();
	return NULL;
}

static void *churn_thread(void *arg)
{
	return arg;
}

static void __attribute__((noreturn)) mover_main(int ready_fd, unsigned int flags)
{
	pthread_t th;
	int i;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if ((flags & F_WHOLE_FIRST) && unshare(CLONE_NEWNET))
		_exit(3);
	/* One thread at a time, so M_SETNS_NET finds its target moved. */
	for (i = 0; i < shm->nsteps; i++) {
		if (pthread_create(&th, NULL, mover_thread, (void *)(long)i))
			_exit(4);
		while (sem_wait(&shm->done) && errno == EINTR)
			;
	}
	if ((flags & F_LEADER_UTS) && unshare(CLONE_NEWUTS))
		_exit(7);
	if (flags & F_TO_NOBODY) {
		if (setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY))
			_exit(5);
		prctl(PR_SET_DUMPABLE, 1);
	}
	if (write(ready_fd, "r", 1) != 1)
		_exit(6);
	close(ready_fd);
	while (flags & F_CHURN) {
		if (pthread_create(&th, NULL, churn_thread, NULL) == 0)
			pthread_join(th, NULL);
	}
	for (;;)
		pause();
}

FIXTURE(mover) {
	pid_t pid;
};

FIXTURE_SETUP(mover)
{
	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, shm);
	ASSERT_EQ(0, sem_init(&shm->done, 1, 0));
	self->pid = 0;
}

FIXTURE_TEARDOWN(mover)
{
	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		waitpid(self->pid, NULL, 0);
	}
	munmap(shm, sizeof(*shm));
}

/* Fork a mover running @steps; returns once every move is done. */
static pid_t spawn_mover(const struct step *steps, int n, unsigned int flags)
{
	struct pollfd pfd;
	int p[2], i;
	pid_t pid;
	char c;

	shm->steps = steps;
	shm->nsteps = n;
	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		mover_main(p[1], flags);
	}
	close(p[1]);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	if (pid < 0 || poll(&pfd, 1, 10000) != 1 || read(p[0], &c, 1) != 1) {
		close(p[0]);
		return -1;
	}
	close(p[0]);
	for (i = 0; i < n; i++)
		if (shm->err[i]) {
			fprintf(stderr, "# step %d: %s\n", i, strerror(shm->err[i]));
			return -1;
		}
	return pid;
}

/* Run `nstaint ps [ARGS] --json`, parse every stdout line. */
struct ps_json {
	int status;
	int n;
	struct json_object *line[64];
	char *err;
};

#define ps_json_run(pj, uid, ...) ps_json_run3(pj, uid, __VA_ARGS__, NULL, NULL)
static int ps_json_run3(struct ps_json *pj, int uid, const char *a1,
			const char *a2, const char *a3, ...)
{
	char *argv[] = { (char *)nstaint_bin(), "ps", "--json",
			 (char *)a1, (char *)a2, (char *)a3, NULL };
	struct run_result r;
	char *save, *l;

	memset(pj, 0, sizeof(*pj));
	if (run_as(argv, uid, &r))
		return -1;
	pj->status = r.status;
	for (l = strtok_r(r.out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		struct json_object *o = json_tokener_parse(l);

		if (!o || pj->n == 64) {
			fprintf(stderr, "# unparsable JSON line: %s\n", l);
			pj->n = -1;
			break;
		}
		pj->line[pj->n++] = o;
	}
	pj->err = r.err;
	free(r.out);
	return pj->n < 0 ? -1 : 0;
}

static void ps_json_free(struct ps_json *pj)
{
	int i;

	for (i = 0; i < pj->n; i++)
		json_object_put(pj->line[i]);
	free(pj->err);
}

static int64_t jint(struct json_object *o, const char *k1, const char *k2)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, k1, &v))
		return -1;
	if (k2 && !json_object_object_get_ex(v, k2, &v))
		return -1;
	return json_object_get_int64(v);
}

static struct json_object *find_tid(struct ps_json *pj, pid_t tid)
{
	int i;

	for (i = 0; i < pj->n; i++)
		if (jint(pj->line[i], "tid", NULL) == tid)
			return pj->line[i];
	return NULL;
}

/* "differs" as a comma-joined string, e.g. "net,uts". */
static const char *differs(struct json_object *o, char *buf, size_t len)
{
	struct json_object *a;
	size_t i;

	buf[0] = '\0';
	if (!json_object_object_get_ex(o, "differs", &a) ||
	    !json_object_is_type(a, json_type_array))
		return "<missing>";
	for (i = 0; i < json_object_array_length(a); i++) {
		if (i)
			strncat(buf, ",", len - strlen(buf) - 1);
		strncat(buf, json_object_get_string(json_object_array_get_idx(a, i)),
			len - strlen(buf) - 1);
	}
	return buf;
}

static char *pidstr(pid_t pid)
{
	static char buf[16];

	snprintf(buf, sizeof(buf), "%d", pid);
	return buf;
}

static const struct step mixed[] = {
	{ M_NONE }, { M_UNSHARE_NET }, { M_UNSHARE_UTS }, { M_SETNS_NET, 1 },
	{ M_UNSHARE_FS_MNT }, { M_NONE }, { M_MOVE_BACK }, { M_NONE },
};

/* Exactly the moved threads are listed (unshare net, unshare uts, setns
 * into another thread's netns, unshare fs+mnt), each with the namespace
 * type that moved, its own inode and the home inode; the threads that did
 * not move, and the one that moved and came back, are not. */
TEST_F(mover, lists_exactly_the_moved_threads)
{
	static const struct { int step; const char *ns; } want[] = {
		{ 1, "net" }, { 2, "uts" }, { 3, "net" }, { 4, "mnt" },
	};
	struct ps_json pj;
	char buf[64];
	size_t i;

	self->pid = spawn_mover(mixed, 8, 0);
	ASSERT_GT(self->pid, 0);
	ASSERT_EQ(0, ps_json_run(&pj, -1, "-p", pidstr(self->pid)));
	EXPECT_EQ(1, pj.status);
	EXPECT_EQ(4, pj.n);
	for (i = 0; i < 4; i++) {
		pid_t tid = shm->tids[want[i].step];
		struct json_object *o = find_tid(&pj, tid);

		ASSERT_NE(NULL, o) TH_LOG("thread of step %d not listed", want[i].step);
		EXPECT_EQ(self->pid, jint(o, "pid", NULL));
		EXPECT_STREQ(want[i].ns, differs(o, buf, sizeof(buf)));
		EXPECT_EQ(ns_ino(self->pid, tid, want[i].ns),
			  jint(o, "ns", want[i].ns));
		EXPECT_EQ(ns_ino(self->pid, self->pid, want[i].ns),
			  jint(o, "home", want[i].ns));
		EXPECT_NE(jint(o, "ns", want[i].ns), jint(o, "home", want[i].ns));
	}
	/* setns joined the netns that step 1 created. */
	EXPECT_EQ(jint(find_tid(&pj, shm->tids[1]), "ns", "net"),
		  jint(find_tid(&pj, shm->tids[3]), "ns", "net"));
	ps_json_free(&pj);
}

/* The text view has a header and one row per (thread, namespace) that
 * differs, with the thread's inode and the home inode. */
TEST_F(mover, text_rows)
{
	char *argv[] = { (char *)nstaint_bin(), "ps", "-p", NULL, NULL };
	struct run_result r;
	char want[128];

	self->pid = spawn_mover(mixed, 8, 0);
	ASSERT_GT(self->pid, 0);
	argv[3] = pidstr(self->pid);
	ASSERT_EQ(0, run(argv, &r));
	EXPECT_EQ(1, r.status);
	EXPECT_EQ(5, count_lines(r.out)) TH_LOG("%s", r.out);
	EXPECT_EQ(0, strncmp(r.out, "PID", 3));
	snprintf(want, sizeof(want), "\n%-8d %-8d %-6s %-11lu %-11lu ",
		 self->pid, shm->tids[2], "uts",
		 ns_ino(self->pid, shm->tids[2], "uts"),
		 ns_ino(self->pid, self->pid, "uts"));
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("no row %s in:\n%s", want, r.out);
	EXPECT_NE(NULL, strstr(r.err, "4 tainted threads in 1 process"));
	run_result_free(&r);
}

/* A process that moved as a whole before starting its threads (as if
 * started inside a new netns) has nothing tainted. */
TEST_F(mover, whole_process_moved_is_clean)
{
	static const struct step none[] = { { M_NONE }, { M_NONE }, { M_NONE } };
	struct ps_json pj;

	self->pid = spawn_mover(none, 3, F_WHOLE_FIRST);
	ASSERT_GT(self->pid, 0);
	ASSERT_NE(ns_ino(getpid(), getpid(), "net"),
		  ns_ino(self->pid, self->pid, "net"));
	ASSERT_EQ(0, ps_json_run(&pj, -1, "-p", pidstr(self->pid)));
	EXPECT_EQ(0, pj.status);
	EXPECT_EQ(0, pj.n);
	ps_json_free(&pj);
}

/* A tie (the leader moved, its one other thread did not) goes to the set
 * the parent holds, so the leader is the tainted one, not the thread that
 * stayed where the process started. */
TEST_F(mover, tie_goes_to_parent_set)
{
	static const struct step one[] = { { M_NONE } };
	struct ps_json pj;
	char buf[16];

	self->pid = spawn_mover(one, 1, F_LEADER_UTS);
	ASSERT_GT(self->pid, 0);
	ASSERT_EQ(0, ps_json_run(&pj, -1, "-p", pidstr(self->pid)));
	EXPECT_EQ(1, pj.status);
	ASSERT_EQ(1, pj.n);
	EXPECT_EQ(self->pid, jint(pj.line[0], "tid", NULL));
	EXPECT_STREQ("uts", differs(pj.line[0], buf, sizeof(buf)));
	EXPECT_EQ(ns_ino(getpid(), getpid(), "uts"), jint(pj.line[0], "home", "uts"));
	ps_json_free(&pj);
}

/* A single-threaded `unshare -n` child is its own home: not listed. */
TEST(single_threaded_unshare_is_clean)
{
	char *argv[] = { "/usr/bin/unshare", "-n", "/bin/sleep", "30", NULL };
	struct ps_json pj;
	pid_t pid;
	int i;

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execv(argv[0], argv);
		_exit(127);
	}
	/* Wait until unshare has exec'd sleep in the new netns. */
	for (i = 0; i < 200; i++) {
		char path[64], comm[32] = "";
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		f = fopen(path, "r");
		if (f) {
			if (!fgets(comm, sizeof(comm), f))
				comm[0] = '\0';
			fclose(f);
		}
		if (!strcmp(comm, "sleep\n"))
			break;
		usleep(10000);
	}
	ASSERT_NE(ns_ino(getpid(), getpid(), "net"), ns_ino(pid, pid, "net"));
	ASSERT_EQ(0, ps_json_run(&pj, -1, "-p", pidstr(pid)));
	EXPECT_EQ(0, pj.status);
	EXPECT_EQ(0, pj.n);
	ps_json_free(&pj);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* --all lists every thread with its whole set (every type known, home
 * too); exactly the moved ones say tainted. */
TEST_F(mover, all_lists_every_thread)
{
	static const char *const keys[] = { "mnt", "net", "uts", "ipc", "user",
					    "cgroup", "time", "pid" };
	struct json_object *t;
	struct ps_json pj;
	int i, ntainted = 0;
	size_t k;

	self->pid = spawn_mover(mixed, 8, 0);
	ASSERT_GT(self->pid, 0);
	ASSERT_EQ(0, ps_json_run(&pj, -1, "--all", "-p", pidstr(self->pid)));
	EXPECT_EQ(1, pj.status);
	ASSERT_EQ(9, pj.n);	/* main + 8 */
	for (i = 0; i < pj.n; i++) {
		for (k = 0; k < 8; k++) {
			EXPECT_GT(jint(pj.line[i], "ns", keys[k]), 0);
			EXPECT_GT(jint(pj.line[i], "home", keys[k]), 0);
		}
		ASSERT_TRUE(json_object_object_get_ex(pj.line[i], "tainted", &t));
		ASSERT_TRUE(json_object_is_type(t, json_type_boolean));
		ntainted += json_object_get_boolean(t);
	}
	EXPECT_EQ(4, ntainted);
	ps_json_free(&pj);
}

/* Names with spaces, newlines, quotes, backslashes and bytes that are not
 * UTF-8 come out as valid JSON (decoding to the name, or to U+FFFD for the
 * invalid bytes) and as one text row each. */
TEST_F(mover, hostile_thread_names)
{
	static const struct step names[] = {
		{ M_UNSHARE_UTS, 0, "a b" },
		{ M_UNSHARE_UTS, 0, "new\nline" },
		{ M_UNSHARE_UTS, 0, "q\"uote" },
		{ M_UNSHARE_UTS, 0, "back\\slash" },
		{ M_UNSHARE_UTS, 0, "bad\xff\xfe" },
		{ M_UNSHARE_UTS, 0, "\xc3\xa9t\xc3\xa9" },	/* "été" */
		{ M_NONE }, { M_NONE }, { M_NONE }, { M_NONE }, { M_NONE },
		{ M_NONE },
	};
	char *argv[] = { (char *)nstaint_bin(), "ps", "-p", NULL, NULL };
	struct run_result r;
	struct ps_json pj;
	int i;

	self->pid = spawn_mover(names, 12, 0);
	ASSERT_GT(self->pid, 0);
	ASSERT_EQ(0, ps_json_run(&pj, -1, "-p", pidstr(self->pid)));
	EXPECT_EQ(1, pj.status);
	ASSERT_EQ(6, pj.n);
	for (i = 0; i < 6; i++) {
		struct json_object *o = find_tid(&pj, shm->tids[i]), *c;

		ASSERT_NE(NULL, o);
		ASSERT_TRUE(json_object_object_get_ex(o, "comm", &c));
		if (i == 4) {
			EXPECT_STREQ("bad\xef\xbf\xbd\xef\xbf\xbd",
				     json_object_get_string(c));
		} else {
			EXPECT_STREQ(names[i].name, json_object_get_string(c));
		}
	}
	ps_json_free(&pj);

	argv[3] = pidstr(self->pid);
	ASSERT_EQ(0, run(argv, &r));
	EXPECT_EQ(7, count_lines(r.out)) TH_LOG("%s", r.out);	/* header + 6 */
	EXPECT_NE(NULL, strstr(r.out, " new\\x0aline\n"));
	EXPECT_NE(NULL, strstr(r.out, " bad\\xff\\xfe\n"));
	EXPECT_NE(NULL, strstr(r.out, " back\\\\slash\n"));
	run_result_free(&r);
}

/* Threads created and exiting in a tight loop while nstaint scans: every
 * run ends normally, prints parsable JSON, always finds the one tainted
 * thread, and never reports a churning thread. */
TEST_F(mover, scan_races_thread_churn)
{
	static const struct step one[] = { { M_UNSHARE_NET }, { M_NONE }, { M_NONE } };
	struct ps_json pj;
	int i, j;

	self->pid = spawn_mover(one, 3, F_CHURN);
	ASSERT_GT(self->pid, 0);
	for (i = 0; i < 40; i++) {
		ASSERT_EQ(0, ps_json_run(&pj, -1, i & 1 ? "-p" : NULL,
					 i & 1 ? pidstr(self->pid) : NULL));
		ASSERT_EQ(1, pj.status) TH_LOG("run %d: %s", i, pj.err);
		ASSERT_NE(NULL, find_tid(&pj, shm->tids[0]));
		for (j = 0; j < pj.n; j++)
			if (jint(pj.line[j], "pid", NULL) == self->pid)
				EXPECT_EQ(shm->tids[0], jint(pj.line[j], "tid", NULL));
		ps_json_free(&pj);
	}
}

/* Without root, nstaint ps reads the caller's own processes, and says how
 * many others it could not read instead of failing. */
TEST_F(mover, works_without_root)
{
	static const struct step one[] = { { M_UNSHARE_UTS }, { M_NONE }, { M_NONE } };
	struct ps_json pj;

	if (access(nstaint_bin(), X_OK) || geteuid() != 0)
		SKIP(return, "needs root to create the process and drop to nobody");
	self->pid = spawn_mover(one, 3, F_TO_NOBODY);
	ASSERT_GT(self->pid, 0);

	ASSERT_EQ(0, ps_json_run(&pj, NOBODY, "-p", pidstr(self->pid)));
	EXPECT_EQ(1, pj.status) TH_LOG("%s", pj.err);
	ASSERT_EQ(1, pj.n);
	EXPECT_EQ(shm->tids[0], jint(pj.line[0], "tid", NULL));
	ps_json_free(&pj);

	ASSERT_EQ(0, ps_json_run(&pj, NOBODY, NULL, NULL));
	EXPECT_EQ(1, pj.status);
	EXPECT_NE(NULL, find_tid(&pj, shm->tids[0]));
	EXPECT_NE(NULL, strstr(pj.err, "could not read"));
	EXPECT_NE(NULL, strstr(pj.err, "run as root"));
	ps_json_free(&pj);

	/* Someone else's process, asked for by pid: an error, exit 2. */
	ASSERT_EQ(0, ps_json_run(&pj, NOBODY, "-p", "1"));
	EXPECT_EQ(2, pj.status);
	EXPECT_NE(NULL, strstr(pj.err, "cannot read process 1"));
	ps_json_free(&pj);
}

/* Usage errors and a pid that does not exist exit 2 with a message. */
TEST(usage_errors)
{
	static const char *const bad[][3] = {
		{ "-p", "abc" }, { "-p", "0" }, { "--bogus" }, { "extra" },
		{ "-p" },
	};
	struct ps_json pj;
	size_t i;
	pid_t dead;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ps_json_run(&pj, -1, bad[i][0], bad[i][1]);
		EXPECT_EQ(2, pj.status) TH_LOG("ps %s %s", bad[i][0], bad[i][1] ?: "");
		EXPECT_NE('\0', pj.err[0]);
		ps_json_free(&pj);
	}
	dead = fork();
	ASSERT_GE(dead, 0);
	if (dead == 0)
		_exit(0);
	waitpid(dead, NULL, 0);
	ASSERT_EQ(0, ps_json_run(&pj, -1, "-p", pidstr(dead)));
	EXPECT_EQ(2, pj.status);
	EXPECT_NE(NULL, strstr(pj.err, "no such process"));
	ps_json_free(&pj);
}

/* The seed article's second demo, a real Go program (LockOSThread,
 * unshare(CLONE_NEWNET), spawn a goroutine, UnlockOSThread without going
 * back): exactly its poisoned thread is listed, in the netns the demo saw,
 * against the home netns main started in. */
TEST(go_leak_demo)
{
	const char *bin = getenv("NSTAINT_GO_LEAK") ?: "build/selftests/go/leak";
	unsigned long main_ns = 0, bad_ns = 0;
	int in[2], out[2], tid = 0, ready = 0;
	struct ps_json pj;
	char line[256], buf[16];
	pid_t pid;
	FILE *f;

	ASSERT_EQ(0, pipe2(in, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(out, O_CLOEXEC));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execl(bin, bin, NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	f = fdopen(out[0], "r");
	ASSERT_NE(NULL, f);
	while (!ready && fgets(line, sizeof(line), f)) {
		sscanf(line, "main tid=%*d netns=%lu", &main_ns);
		sscanf(line, "tainted tid=%d netns=%lu", &tid, &bad_ns);
		ready = !strcmp(line, "ready\n");
	}
	ASSERT_TRUE(ready) TH_LOG("%s did not get ready", bin);
	ASSERT_GT(tid, 0);
	ASSERT_NE(main_ns, bad_ns);

	ASSERT_EQ(0, ps_json_run(&pj, -1, "-p", pidstr(pid)));
	EXPECT_EQ(1, pj.status);
	ASSERT_EQ(1, pj.n);
	EXPECT_EQ(tid, jint(pj.line[0], "tid", NULL));
	EXPECT_STREQ("net", differs(pj.line[0], buf, sizeof(buf)));
	EXPECT_EQ(bad_ns, jint(pj.line[0], "ns", "net"));
	EXPECT_EQ(main_ns, jint(pj.line[0], "home", "net"));
	ps_json_free(&pj);

	close(in[1]);	/* the demo exits when stdin closes */
	fclose(f);
	waitpid(pid, NULL, 0);
}

TEST_HARNESS_MAIN
