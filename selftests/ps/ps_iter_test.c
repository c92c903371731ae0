// SPDX-License-Identifier: GPL-2.0-only
/*
 * nstaint ps: the BPF task iterator (-b bpf) and the /proc scan (-b proc)
 * give the same answer, and both the true one.
 *
 * The fixture builds a small host situation of its own: processes whose
 * threads unshare or setns into other namespaces of every type, a process
 * split two against two (the parent breaks the tie), one that moved as a
 * whole, one whose leader exited while its threads live, a thread with a
 * new pid namespace and no child yet (no pid_for_children link) and one
 * whose new pid namespace has its first child, one with 150 idle threads
 * before its tainted one (read in pieces); and, apart, both read from
 * inside a pid namespace of their own.  Other engineers run tests
 * on this host at the same time, so every comparison keeps the lines of
 * these processes only.  The truth is stat(2) on the /proc/PID/task/TID/ns links
 * and the thread names the test gave.
 */
#include <json-c/json.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "run.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

#define MAX_STEPS 12
#define NOBODY 65534

enum move {
	M_NONE,
	M_NET,			/* unshare(CLONE_NEWNET) */
	M_UTS,
	M_IPC,
	M_CGROUP,
	M_TIME,			/* time_for_children */
	M_MNT,			/* unshare(CLONE_FS | CLONE_NEWNS) */
	M_SETNS_NET,		/* into the netns of step .arg's thread */
	M_PARENT_NET,		/* into the netns of the parent process */
	M_MOVE_BACK,		/* a new netns, then back to the old one */
	M_PID,			/* a new pid ns, no child: no link in /proc */
	M_PID_FORK,		/* a new pid ns with its first child in it */
};

struct step {
	enum move move;
	int arg;
	const char *name;	/* the thread's name */
	int tainted;		/* what the test expects */
};

/* Process flags. */
#define F_WHOLE_NET	(1 << 0) /* unshare netns before any thread */
#define F_LEADER_EXITS	(1 << 1) /* the leader exits, its threads live */
#define F_CROWD		(1 << 2) /* CROWD idle threads before the steps */

/* More than two of the /proc scan's 64-thread chunks (snapshot.c): the
 * steps' threads are read by a later chunk than the leader. */
#define CROWD		150

struct proc_spec {
	unsigned int flags;
	int nsteps;
	struct step steps[MAX_STEPS];
};

/* Hostile but legal thread names: what both paths must print alike. */
static const struct proc_spec specs[] = {
	{ 0, 11, {
		{ M_NONE, 0, "plain", 0 },
		{ M_NET, 0, "net-moved", 1 },
		{ M_UTS, 0, "uts moved", 1 },
		{ M_IPC, 0, "ipc\nmoved", 1 },
		{ M_CGROUP, 0, "cgroup\\moved", 1 },
		{ M_TIME, 0, "time\xff\xfe", 1 },
		{ M_MNT, 0, "exactly15chars_", 1 },
		{ M_SETNS_NET, 1, "joined-net", 1 },
		{ M_MOVE_BACK, 0, "came-back", 0 },
		{ M_PID, 0, "pid-no-child", 0 },
		{ M_NONE, 0, "", 0 },
	} },
	/* Two against two, the leader on the side that is not the parent's:
	 * the parent's (our) set is the home, not the leader's. */
	{ F_WHOLE_NET, 3, {
		{ M_NONE, 0, "tie-away", 1 },
		{ M_PARENT_NET, 0, "tie-home", 0 },
		{ M_PARENT_NET, 0, "tie-home2", 0 },
	} },
	/* Moved as a whole, then one thread moved again. */
	{ F_WHOLE_NET, 3, {
		{ M_NONE, 0, "whole", 0 },
		{ M_NONE, 0, "whole2", 0 },
		{ M_UTS, 0, "whole-uts", 1 },
	} },
	/* The leader is gone; its three threads decide the home. */
	{ F_LEADER_EXITS, 3, {
		{ M_NONE, 0, "orphan1", 0 },
		{ M_NONE, 0, "orphan2", 0 },
		{ M_NET, 0, "orphan-net", 1 },
	} },
	/* A crowd of idle threads, then a tainted one: one process read in
	 * several pieces by the /proc scan. */
	{ F_CROWD, 2, {
		{ M_NONE, 0, "crowd-last", 0 },
		{ M_UTS, 0, "crowd-uts", 1 },
	} },
	/* A thread whose pid namespace got its first child (a process of
	 * ours too, in that namespace). */
	{ 0, 2, {
		{ M_NONE, 0, "pidns-home", 0 },
		{ M_PID_FORK, 0, "pidns-parent", 1 },
	} },
};
#define NPROCS ((int)(sizeof(specs) / sizeof(specs[0])))

/* Shared with the processes. */
struct scene_shm {
	int proc;		/* the spec the process being built runs */
	pid_t pid[NPROCS];
	pid_t tids[NPROCS][MAX_STEPS];
	pid_t pidns_child[NPROCS][MAX_STEPS];	/* M_PID_FORK's child */
	int err[NPROCS][MAX_STEPS];
	sem_t done;
};

static struct scene_shm *shm;

static int unshare_or_errno(int flags)
{
	return unshare(flags) ? errno : 0;
}

static int do_move(int proc, int i)
{
	const struct step *s = &specs[proc].steps[i];
	char path[64];
	pid_t child;
	int fd, r;

	switch (s->move) {
	case M_NONE:
		return 0;
	case M_NET:
		return unshare_or_errno(CLONE_NEWNET);
	case M_UTS:
		return unshare_or_errno(CLONE_NEWUTS);
	case M_IPC:
		return unshare_or_errno(CLONE_NEWIPC);
	case M_CGROUP:
		return unshare_or_errno(CLONE_NEWCGROUP);
	case M_TIME:
		return unshare_or_errno(CLONE_NEWTIME);
	case M_MNT:
		return unshare_or_errno(CLONE_FS | CLONE_NEWNS);
	case M_PID:
		return unshare_or_errno(CLONE_NEWPID);
	case M_PID_FORK:
		r = unshare_or_errno(CLONE_NEWPID);
		if (r)
			return r;
		child = fork();
		if (child < 0)
			return errno;
		if (child == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			prctl(PR_SET_NAME, "pidns-child");
			for (;;)
				pause();
		}
		shm->pidns_child[proc][i] = child;
		return 0;
	case M_SETNS_NET:
		snprintf(path, sizeof(path), "/proc/self/task/%d/ns/net",
			 shm->tids[proc][s->arg]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return errno;
		r = setns(fd, CLONE_NEWNET) ? errno : 0;
		close(fd);
		return r;
	case M_PARENT_NET:
		snprintf(path, sizeof(path), "/proc/%d/ns/net", getppid());
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return errno;
		r = setns(fd, CLONE_NEWNET) ? errno : 0;
		close(fd);
		return r;
	case M_MOVE_BACK:
		fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return errno;
		r = unshare_or_errno(CLONE_NEWNET);
		if (!r)
			r = setns(fd, CLONE_NEWNET) ? errno : 0;
		close(fd);
		return r;
	}
	return EINVAL;
}

static void *step_thread(void *arg)
{
	int proc = shm->proc, i = (int)(long)arg;

	prctl(PR_SET_NAME, specs[proc].steps[i].name);
	shm->tids[proc][i] = syscall(SYS_gettid);
	shm->err[proc][i] = do_move(proc, i);
	sem_post(&shm->done);
	for (;;)
		pause();
	return NULL;
}

static void *crowd_thread(void *arg)
{
	prctl(PR_SET_NAME, "crowd");
	sem_post(&shm->done);
	for (;;)
		pause();
	return NULL;
}

/* One process of the scene: its threads, one after the other (a setns
 * finds its target moved), then it waits to be killed. */
static void __attribute__((noreturn)) scene_proc(int proc, int ready_fd)
{
	const struct proc_spec *sp = &specs[proc];
	pthread_t th;
	int i;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, "scene-leader");
	if ((sp->flags & F_WHOLE_NET) && unshare(CLONE_NEWNET))
		_exit(3);
	for (i = 0; (sp->flags & F_CROWD) && i < CROWD; i++) {
		if (pthread_create(&th, NULL, crowd_thread, NULL))
			_exit(4);
		while (sem_wait(&shm->done) && errno == EINTR)
			;
	}
	for (i = 0; i < sp->nsteps; i++) {
		if (pthread_create(&th, NULL, step_thread, (void *)(long)i))
			_exit(4);
		while (sem_wait(&shm->done) && errno == EINTR)
			;
	}
	if (write(ready_fd, "r", 1) != 1)
		_exit(6);
	close(ready_fd);
	if (sp->flags & F_LEADER_EXITS)
		syscall(SYS_exit, 0);	/* this thread only */
	for (;;)
		pause();
}

/* Start process @proc of the scene; 0 once all its moves are done. */
static int scene_start(int proc)
{
	struct pollfd pfd;
	int p[2], i;
	pid_t pid;
	char c;

	shm->proc = proc;
	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		scene_proc(proc, p[1]);
	}
	close(p[1]);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	if (pid < 0 || poll(&pfd, 1, 10000) != 1 || read(p[0], &c, 1) != 1) {
		close(p[0]);
		return -1;
	}
	close(p[0]);
	shm->pid[proc] = pid;
	for (i = 0; i < specs[proc].nsteps; i++)
		if (shm->err[proc][i]) {
			fprintf(stderr, "# process %d step %d: %s\n", proc, i,
				strerror(shm->err[proc][i]));
			return -1;
		}
	return 0;
}

/* A pid of the scene (processes and the pid namespace's child). */
static int ours(long pid)
{
	int p, i;

	for (p = 0; p < NPROCS; p++) {
		if (shm->pid[p] == pid)
			return 1;
		for (i = 0; i < MAX_STEPS; i++)
			if (shm->pidns_child[p][i] && shm->pidns_child[p][i] == pid)
				return 1;
	}
	return 0;
}

/* A leader that exited as a thread shows as a zombie: wait for that, so
 * both reads see it gone (its threads decide the home). */
static int wait_leader_gone(pid_t pid)
{
	char path[64], buf[512], *p;
	int tries;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	for (tries = 0; tries < 1000; tries++) {
		FILE *f = fopen(path, "r");

		if (!f)
			return -1;
		p = fgets(buf, sizeof(buf), f);
		fclose(f);
		p = p ? strrchr(buf, ')') : NULL;
		if (p && p[1] == ' ' && p[2] == 'Z')
			return 0;
		usleep(1000);
	}
	return -1;
}

FIXTURE(scene) {
	int unused;
};

FIXTURE_SETUP(scene)
{
	int p;

	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, shm);
	memset(shm, 0, sizeof(*shm));
	ASSERT_EQ(0, sem_init(&shm->done, 1, 0));
	for (p = 0; p < NPROCS; p++) {
		ASSERT_EQ(0, scene_start(p)) TH_LOG("process %d", p);
		if (specs[p].flags & F_LEADER_EXITS)
			ASSERT_EQ(0, wait_leader_gone(shm->pid[p]));
	}
}

FIXTURE_TEARDOWN(scene)
{
	int p;

	for (p = 0; p < NPROCS; p++)
		if (shm->pid[p] > 0) {
			kill(shm->pid[p], SIGKILL);
			waitpid(shm->pid[p], NULL, 0);
		}
	munmap(shm, sizeof(*shm));
}

/* `nstaint ps -b @backend @a1 @a2` as @uid: status, stdout, stderr. */
static int ps_run(struct run_result *r, int uid, const char *backend,
		  const char *a1, const char *a2)
{
	char *argv[] = { (char *)nstaint_bin(), "ps", "-b", (char *)backend,
			 (char *)a1, (char *)a2, NULL };

	return run_as(argv, uid, r);
}

/* The stdout lines of @out about the scene, in order, joined.  @json:
 * lines are objects with a "pid"; else text rows with the pid first. */
static char *scene_lines(const char *out, int json)
{
	char *copy = strdup(out), *save, *l, *res = calloc(1, strlen(out) + 1);

	for (l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		long pid = 0;

		if (json) {
			struct json_object *o = json_tokener_parse(l), *v;

			if (o && json_object_object_get_ex(o, "pid", &v))
				pid = json_object_get_int64(v);
			json_object_put(o);
		} else {
			pid = strtol(l, NULL, 10);
		}
		if (ours(pid)) {
			strcat(res, l);
			strcat(res, "\n");
		}
	}
	free(copy);
	return res;
}

/* Every scene thread, once, over both outputs' lines. */
static int count_scene_threads(void)
{
	int p, i, n = 0;

	for (p = 0; p < NPROCS; p++) {
		n += specs[p].nsteps + !(specs[p].flags & F_LEADER_EXITS);
		n += specs[p].flags & F_CROWD ? CROWD : 0;
		for (i = 0; i < specs[p].nsteps; i++)
			n += shm->pidns_child[p][i] != 0;
	}
	return n;
}

/* Proves: `ps --all --json` from the iterator is byte for byte what the
 * /proc scan prints for every thread of the scene, and lists them all. */
TEST_F(scene, iter_equals_proc_all_json)
{
	struct run_result b, q;
	char *lb, *lq;

	ASSERT_EQ(0, ps_run(&b, -1, "bpf", "--all", "--json"));
	ASSERT_EQ(0, ps_run(&q, -1, "proc", "--all", "--json"));
	EXPECT_EQ(1, b.status) TH_LOG("%s", b.err);
	EXPECT_EQ(1, q.status) TH_LOG("%s", q.err);
	lb = scene_lines(b.out, 1);
	lq = scene_lines(q.out, 1);
	EXPECT_STREQ(lq, lb);
	EXPECT_EQ(count_scene_threads(), count_lines(lb));
	free(lb);
	free(lq);
	run_result_free(&b);
	run_result_free(&q);
}

/* Proves: the default view (a row per tainted namespace, text) and
 * --all's text rows are the same from both sources. */
TEST_F(scene, iter_equals_proc_text)
{
	const char *views[] = { NULL, "--all" };
	int v;

	for (v = 0; v < 2; v++) {
		struct run_result b, q;
		char *lb, *lq;

		ASSERT_EQ(0, ps_run(&b, -1, "bpf", views[v], NULL));
		ASSERT_EQ(0, ps_run(&q, -1, "proc", views[v], NULL));
		lb = scene_lines(b.out, 0);
		lq = scene_lines(q.out, 0);
		EXPECT_STREQ(lq, lb) TH_LOG("view %s", views[v] ?: "tainted");
		EXPECT_NE(0, strlen(lb));
		free(lb);
		free(lq);
		run_result_free(&b);
		run_result_free(&q);
	}
}

/* Proves: -p PID gives the same whole output from both sources, for each
 * process of the scene (the home needs the parent: the iterator has it
 * from the same read, /proc reads it apart). */
TEST_F(scene, iter_equals_proc_per_pid)
{
	int p;

	for (p = 0; p < NPROCS; p++) {
		struct run_result b, q;
		char pid[16];

		snprintf(pid, sizeof(pid), "%d", shm->pid[p]);
		{
			char *argv_b[] = { (char *)nstaint_bin(), "ps", "-b", "bpf",
					   "--all", "--json", "-p", pid, NULL };
			char *argv_q[] = { (char *)nstaint_bin(), "ps", "-b", "proc",
					   "--all", "--json", "-p", pid, NULL };

			ASSERT_EQ(0, run(argv_b, &b));
			ASSERT_EQ(0, run(argv_q, &q));
		}
		EXPECT_EQ(q.status, b.status);
		EXPECT_STREQ(q.out, b.out) TH_LOG("process %d", p);
		EXPECT_NE(0, strlen(b.out));
		run_result_free(&b);
		run_result_free(&q);
	}
}

/* The JSON line of thread @tid in @out, or NULL (put it). */
static struct json_object *thread_line(const char *out, pid_t tid)
{
	char *copy = strdup(out), *save, *l;
	struct json_object *found = NULL;

	for (l = strtok_r(copy, "\n", &save); l && !found;
	     l = strtok_r(NULL, "\n", &save)) {
		struct json_object *o = json_tokener_parse(l), *v;

		if (o && json_object_object_get_ex(o, "tid", &v) &&
		    json_object_get_int64(v) == tid) {
			found = o;
			break;
		}
		json_object_put(o);
	}
	free(copy);
	return found;
}

static const char *const ns_keys[] = {
	"mnt", "net", "uts", "ipc", "user", "cgroup", "time", "pid",
};
static const char *const ns_links[] = {
	"mnt", "net", "uts", "ipc", "user", "cgroup", "time_for_children",
	"pid_for_children",
};

/* Proves: each source's inodes for every scene thread are what stat(2)
 * says (0 where /proc has no link: a pid namespace without a child), its
 * name is the one the test gave (bytes intact, up to 15), and tainted is
 * what the moves make it. */
TEST_F(scene, both_match_stat_and_names)
{
	const char *backends[] = { "bpf", "proc" };
	int k, p, i, j;

	for (k = 0; k < 2; k++) {
		struct run_result r;

		ASSERT_EQ(0, ps_run(&r, -1, backends[k], "--all", "--json"));
		for (p = 0; p < NPROCS; p++) {
			for (i = 0; i < specs[p].nsteps; i++) {
				const struct step *s = &specs[p].steps[i];
				pid_t tid = shm->tids[p][i];
				struct json_object *o = thread_line(r.out, tid);
				struct json_object *ns, *v;
				char want[16];

				ASSERT_NE(NULL, o) TH_LOG("%s: no line for %d",
							  backends[k], tid);
				ASSERT_TRUE(json_object_object_get_ex(o, "ns", &ns));
				for (j = 0; j < 8; j++) {
					ASSERT_TRUE(json_object_object_get_ex(ns, ns_keys[j], &v));
					EXPECT_EQ(ns_ino(shm->pid[p], tid, ns_links[j]),
						  (unsigned long)json_object_get_int64(v))
						TH_LOG("%s: %s of %s", backends[k],
						       ns_keys[j], s->name);
				}
				if (s->move == M_PID)
					EXPECT_EQ(0, ns_ino(shm->pid[p], tid,
							    "pid_for_children"));
				ASSERT_TRUE(json_object_object_get_ex(o, "tainted", &v));
				EXPECT_EQ(s->tainted, json_object_get_boolean(v))
					TH_LOG("%s: %s", backends[k], s->name);
				/* The name as the kernel keeps it: 15 bytes. */
				snprintf(want, sizeof(want), "%s", s->name);
				ASSERT_TRUE(json_object_object_get_ex(o, "comm", &v));
				if (!strchr(s->name, '\xff'))
					EXPECT_STREQ(want, json_object_get_string(v));
				json_object_put(o);
			}
		}
		run_result_free(&r);
	}
}

/* Proves: a bad -b value is a usage error naming the command; -b bpf
 * without privileges says so instead of falling back; auto as nobody
 * still answers (from /proc). */
TEST_F(scene, backend_option_errors)
{
	struct run_result r;

	ASSERT_EQ(0, ps_run(&r, -1, "iterator", NULL, NULL));
	EXPECT_EQ(2, r.status);
	EXPECT_NE(NULL, strstr(r.err, "nstaint ps: bad backend 'iterator'"))
		TH_LOG("%s", r.err);
	run_result_free(&r);

	ASSERT_EQ(0, ps_run(&r, NOBODY, "bpf", NULL, NULL));
	EXPECT_EQ(2, r.status);
	EXPECT_NE(NULL, strstr(r.err, "nstaint ps: cannot run the BPF task iterator"))
		TH_LOG("%s", r.err);
	run_result_free(&r);

	ASSERT_EQ(0, ps_run(&r, NOBODY, "auto", "-v", NULL));
	EXPECT_NE(2, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "the BPF task iterator did not load"))
		TH_LOG("%s", r.err);
	run_result_free(&r);
}

/*
 * In a new pid namespace with its own /proc: pid 1 of it holds a thread
 * in another UTS namespace.  Exit 0 if ps -b bpf and -b proc print the
 * same lines for pid 1 there (pids as that namespace numbers them), and
 * those show the tainted thread; else a code saying what went wrong.
 */
static void *uts_thread(void *arg)
{
	sem_t *moved = arg;

	prctl(PR_SET_NAME, "in-pidns");
	if (unshare(CLONE_NEWUTS))
		_exit(20);
	sem_post(moved);
	for (;;)
		pause();
	return NULL;
}

/* The JSON lines of @out about pid 1, joined. */
static char *pid1_lines(const char *out)
{
	char *copy = strdup(out), *save, *l, *res = calloc(1, strlen(out) + 1);

	for (l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (!strncmp(l, "{\"pid\":1,", 8)) {
			strcat(res, l);
			strcat(res, "\n");
		}
	free(copy);
	return res;
}

static int in_pidns_compare(void)
{
	char *bpf_argv[] = { (char *)nstaint_bin(), "ps", "-b", "bpf", "--all",
			     "--json", NULL };
	char *proc_argv[] = { (char *)nstaint_bin(), "ps", "-b", "proc", "--all",
			      "--json", NULL };
	const char *want = "\"comm\":\"in-pidns\",\"tainted\":true,"
			   "\"differs\":[\"uts\"]";
	struct run_result b, q;
	pthread_t th;
	sem_t moved;
	char *lb, *lq;

	if (getpid() != 1 || mount("proc", "/proc", "proc", 0, NULL))
		return 21;
	sem_init(&moved, 0, 0);
	if (pthread_create(&th, NULL, uts_thread, &moved))
		return 22;
	while (sem_wait(&moved) && errno == EINTR)
		;
	if (run(bpf_argv, &b) || run(proc_argv, &q))
		return 23;
	lb = pid1_lines(b.out);
	lq = pid1_lines(q.out);
	if (strcmp(lb, lq)) {
		fprintf(stderr, "# bpf:\n%s# proc:\n%s", lb, lq);
		return 24;
	}
	if (!strstr(lb, want)) {
		fprintf(stderr, "# no tainted in-pidns thread:\n%s%s", lb, b.err);
		return 25;
	}
	return b.status == 1 && q.status == 1 ? 0 : 26;
}

/* Proves: from inside a pid namespace (the iterator then numbers tasks as
 * that namespace does, through its pid's upper levels), both sources
 * agree and find the tainted thread of its pid 1. */
TEST(pid_namespace_reader)
{
	int st;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		pid_t init;

		if (unshare(CLONE_NEWPID | CLONE_NEWNS) ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
			_exit(30);
		init = fork();
		if (init == 0)
			_exit(in_pidns_compare());
		if (init < 0 || waitpid(init, &st, 0) != init)
			_exit(31);
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 32);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st));
}

TEST_HARNESS_MAIN
