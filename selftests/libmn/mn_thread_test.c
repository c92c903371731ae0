// SPDX-License-Identifier: GPL-2.0-only
/* libmn threads and namespaces, checked through /proc; the nstaint ABI. */
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <nstaint/events.h>
#include <nstaint/mn_abi.h>

#include "kselftest_harness.h"
#include "mn_testlib.h"

extern struct mn_abi_registry mn_nstaint_registry;

static mn_waitgroup wg;
static pid_t task_tid;

static void lock_and_exit(void *a)
{
	mn_lock_thread();
	task_tid = mnt_gettid();
	mn_wg_done(&wg);
	/* returns while locked: the thread must go */
}

static int exit_locked_main(void *a)
{
	mn_wg_add(&wg, 1);
	mn_go(lock_and_exit, NULL);
	mn_wg_wait(&wg);
	return mnt_thread_gone(task_tid);
}

/* A task that returns while locked takes its thread with it (Go 1.10). */
TEST(exit_while_locked_kills_thread)
{
	ASSERT_EQ(1, mn_main(exit_locked_main, NULL));
}

static int nest_ok;

static void nested(void *a)
{
	pid_t t0;

	mn_lock_thread();
	mn_lock_thread();
	t0 = mnt_gettid();
	mn_unlock_thread();
	nest_ok = mn_thread_locked() == 1;
	for (int i = 0; i < 50; i++) {
		mn_yield();
		mn_sleep(100000);
		if (mnt_gettid() != t0)
			nest_ok = 0;
	}
	mn_unlock_thread();
	nest_ok &= mn_thread_locked() == 0;
	nest_ok &= mnt_thread_alive(t0);	/* clean thread: back to the pool */
	mn_wg_done(&wg);
}

static void noise(void *a)
{
	for (int i = 0; i < 200; i++)
		mn_yield();
	mn_wg_done(&wg);
}

static int nested_main(void *a)
{
	mn_wg_add(&wg, 5);
	mn_go(nested, NULL);
	for (int i = 0; i < 4; i++)
		mn_go(noise, NULL);
	mn_wg_wait(&wg);
	return nest_ok;
}

/* Locks nest: after one of two unlocks the task still always resumes on
 * the same thread; after the last, the thread (clean) is kept. */
TEST(lock_nesting_keeps_thread)
{
	setenv("MN_PROCS", "2", 1);
	ASSERT_EQ(1, mn_main(nested_main, NULL));
}

static unsigned long home_uts, new_uts;
static pid_t dirty_tid;

static void dirty_then_unlock(void *a)
{
	mn_lock_thread();
	dirty_tid = mnt_gettid();
	if (unshare(CLONE_NEWUTS) < 0) {
		mn_unlock_thread();
		mn_wg_done(&wg);
		return;
	}
	new_uts = mnt_ns_ino("/proc/thread-self/ns/uts");
	mn_unlock_thread();	/* differs from creation: retire */
	/* we now run on another, clean thread */
	if (mnt_gettid() == dirty_tid || mnt_ns_ino("/proc/thread-self/ns/uts") != home_uts)
		new_uts = 0;
	mn_wg_done(&wg);
}

static int retire_main(void *a)
{
	home_uts = mnt_ns_ino("/proc/self/ns/uts");
	mn_wg_add(&wg, 1);
	mn_go(dirty_then_unlock, NULL);
	mn_wg_wait(&wg);
	if (!new_uts || new_uts == home_uts)
		return -1;
	if (!mnt_thread_gone(dirty_tid))
		return -2;
	if (mnt_threads_in_ns("uts", new_uts) != 0)
		return -3;
	return mnt_nstaint_ps();	/* 0: nothing tainted */
}

static void retire_child(void)
{
	int r = mn_main(retire_main, NULL);

	_exit(r == 0 ? 0 : 10 - r);
}

/* A task that changes its thread's namespace and unlocks gets a clean
 * thread back; the dirty one exits, with a warning naming the task and
 * the namespace; nstaint ps finds nothing tainted afterwards. */
TEST(unlock_in_other_ns_retires_thread)
{
	char out[4096];
	int st = mnt_run_child(retire_child, out, sizeof(out), 0, 0);

	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st));
	EXPECT_NE(NULL, strstr(out, "libmn: task 2 (created at selftests/libmn/mn_thread_test.c:"));
	EXPECT_NE(NULL, strstr(out, "uts "));
	EXPECT_NE(NULL, strstr(out, "retiring the thread"));
}

static atomic_int release_locked;

static void dirty_locked(void *a)
{
	mn_lock_thread();
	dirty_tid = mnt_gettid();
	if (unshare(CLONE_NEWUTS) == 0)
		new_uts = mnt_ns_ino("/proc/thread-self/ns/uts");
	mn_wg_done(&wg);
	while (!atomic_load(&release_locked))
		mn_sleep(1000000);
	/* exits locked: thread goes */
}

static void blocker(void *a)
{
	/* each blocks its thread in a syscall: forces new threads */
	mn_syscall_enter();
	usleep(50000);
	mn_syscall_exit();
	mn_wg_done(&wg);
}

static int clean_clone_main(void *a)
{
	int bad;

	home_uts = mnt_ns_ino("/proc/self/ns/uts");
	mn_wg_add(&wg, 1);
	mn_go(dirty_locked, NULL);
	mn_wg_wait(&wg);
	if (!new_uts)
		return -1;
	mn_wg_add(&wg, 8);
	for (int i = 0; i < 8; i++)
		mn_go(blocker, NULL);
	mn_wg_wait(&wg);
	/* only the locked thread may be in the new namespace */
	bad = mnt_threads_in_ns("uts", new_uts) != 1;
	bad |= mnt_nthreads() < 5;	/* new threads were indeed made */
	atomic_store(&release_locked, 1);
	if (!mnt_thread_gone(dirty_tid))
		return -2;
	return bad ? -3 : mnt_threads_in_ns("uts", new_uts);
}

/* While a locked task holds a thread in another namespace, the threads the
 * runtime creates come from the clean template thread, not from it. */
TEST(new_threads_are_clean)
{
	setenv("MN_PROCS", "2", 1);
	ASSERT_EQ(0, mn_main(clean_clone_main, NULL));
}

static int nsdo_fn(void *a)
{
	*(unsigned long *)a = mnt_ns_ino("/proc/thread-self/ns/net");
	return 42;
}

static int nsdo_mnt_fn(void *a)
{
	*(unsigned long *)a = mnt_ns_ino("/proc/thread-self/ns/mnt");
	return 43;
}

static int nsdo_main(void *a)
{
	pid_t child = *(pid_t *)a;
	char path[64];
	unsigned long seen = 0, target;
	int ret;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)child);
	target = mnt_ns_ino(path);
	for (int i = 0; i < 20; i++) {
		ret = mn_ns_do_path(path, CLONE_NEWNET, nsdo_fn, &seen);
		if (ret != 42 || seen != target)
			return -1;
	}
	for (int i = 0; i < 200 && mnt_threads_in_ns("net", target); i++)
		usleep(10000);
	if (mnt_threads_in_ns("net", target) != 0)
		return -2;
	if (mn_ns_do_path("/nonexistent", 0, nsdo_fn, &seen) != -ENOENT)
		return -3;
	/* a mount namespace needs unshare(CLONE_FS) first: mn_ns_do does it */
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)child);
	target = mnt_ns_ino(path);
	if (mn_ns_do_path(path, 0, nsdo_mnt_fn, &seen) != 43 || seen != target)
		return -4;
	for (int i = 0; i < 200 && mnt_threads_in_ns("mnt", target); i++)
		usleep(10000);
	if (mnt_threads_in_ns("mnt", target) != 0)
		return -5;
	return mnt_nstaint_ps();
}

/* mn_ns_do runs fn inside the namespace (net, and mnt with nstype 0, which
 * needs unshare(CLONE_FS) first) and leaves no thread behind in it (checked
 * through /proc and with nstaint ps). */
TEST(ns_do_leaves_no_tainted_thread)
{
	int sync[2];
	char c;
	pid_t child;

	ASSERT_EQ(0, pipe(sync));
	child = fork();
	if (child == 0) {
		if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0)
			_exit(1);
		(void)!write(sync[1], "x", 1);
		pause();
		_exit(0);
	}
	ASSERT_EQ(1, read(sync[0], &c, 1));
	EXPECT_EQ(0, mn_main(nsdo_main, &child));
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
}

static atomic_int spin_go;
static atomic_ullong spin_id;
static atomic_int spin_tid;

static void locked_spinner(void *a)
{
	mn_lock_thread();
	atomic_store(&spin_id, mn_task_id());
	atomic_store(&spin_tid, mnt_gettid());	/* published last: the reader waits for it */
	while (!atomic_load(&spin_go))
		;		/* keep running: the slot must show us */
	mn_unlock_thread();
	mn_wg_done(&wg);
}

static struct mn_abi_slot *find_slot(pid_t tid)
{
	struct mn_abi_registry *r = &mn_nstaint_registry;

	for (unsigned int i = 0; i < __atomic_load_n(&r->nr_used, __ATOMIC_ACQUIRE); i++) {
		struct mn_abi_thread *t = &r->threads[i];
		uint64_t a = __atomic_load_n(&t->slot_addr, __ATOMIC_ACQUIRE);

		if (a && t->tid == (uint32_t)tid)
			return (struct mn_abi_slot *)(uintptr_t)a;
	}
	return NULL;
}

static int bad_check;

static int abi_main(void *a)
{
	struct mn_abi_slot *s, *me;
	int ok = 1;

	mn_wg_add(&wg, 1);
	mn_go(locked_spinner, NULL);
	while (!atomic_load(&spin_tid))
		mn_yield();
	s = find_slot(atomic_load(&spin_tid));
	me = find_slot(mnt_gettid());
	if (!s || !me)
		return -1;
	ok &= s->magic == MN_ABI_SLOT_MAGIC && s->version == MN_ABI_VERSION;
	if (!ok && !bad_check)
		bad_check = 1;
	ok &= __atomic_load_n(&s->task_id, __ATOMIC_ACQUIRE) == atomic_load(&spin_id);
	if (!ok && !bad_check)
		bad_check = 2;
	ok &= __atomic_load_n(&s->locked, __ATOMIC_ACQUIRE) == 1;
	if (!ok && !bad_check)
		bad_check = 3;
	ok &= (__atomic_load_n(&s->seq, __ATOMIC_ACQUIRE) & 1) == 0;
	if (!ok && !bad_check)
		bad_check = 4;
	ok &= me->task_id == mn_task_id() && me->locked == 0;
	if (!ok && !bad_check)
		bad_check = 5;
	mn_lock_thread();
	ok &= me->locked == 1;
	if (!ok && !bad_check)
		bad_check = 6;
	mn_unlock_thread();
	atomic_store(&spin_go, 1);
	mn_wg_wait(&wg);
	return ok;
}

/* Each thread's slot, found through the exported registry, names the task
 * running there and its lock depth (read here from other threads). */
TEST(abi_slots_show_running_task)
{
	struct mn_abi_registry *r = &mn_nstaint_registry;
	int templates = 0, sysmons = 0;

	setenv("MN_PROCS", "2", 1);
	ASSERT_EQ(1, mn_main(abi_main, NULL)) TH_LOG("first failed check: %d", bad_check);
	EXPECT_EQ((int)MN_ABI_REG_MAGIC, (int)r->magic);
	EXPECT_EQ(MN_ABI_VERSION, (int)r->version);
	EXPECT_EQ(MN_ABI_MAX_THREADS, (int)r->max_threads);
	for (unsigned int i = 0; i < r->nr_used; i++) {
		if (!r->threads[i].slot_addr)
			continue;
		EXPECT_EQ(1, mnt_thread_alive((pid_t)r->threads[i].tid));
		templates += !!(r->threads[i].flags & MN_ABI_THREAD_TEMPLATE);
		sysmons += !!(r->threads[i].flags & MN_ABI_THREAD_SYSMON);
	}
	EXPECT_EQ(1, templates);
	EXPECT_EQ(1, sysmons);
}

static pthread_key_t exit_key;
static struct mn_abi_slot *retired_slot;
static pid_t retired_tid;
static atomic_int exit_seen;	/* the key destructor ran (or never will) */
static uint32_t exit_magic, exit_tid;
static int exit_on_same_thread;

/*
 * A pthread key destructor runs on the retiring thread after its start
 * routine returned and before the kernel ends it: a BPF reader still
 * looks at the slot then (until sched_process_exit).  Allocations of
 * every small size first take back what this thread freed, so a freed
 * slot shows up overwritten (and ASan reports the read).
 */
static void at_thread_exit(void *arg)
{
	struct mn_abi_slot *s = arg;
	enum { NJUNK = 4 * 256 };
	static void *junk[NJUNK];
	size_t n = 0;

	for (size_t size = 16; size <= 4096; size += 16)
		for (int k = 0; k < 4 && n < NJUNK; k++)
			if ((junk[n] = malloc(size)))
				memset(junk[n++], 0xee, size);
	exit_magic = __atomic_load_n(&s->magic, __ATOMIC_RELAXED);
	exit_tid = __atomic_load_n(&s->tid, __ATOMIC_RELAXED);
	exit_on_same_thread = mnt_gettid() == retired_tid;
	while (n)
		free(junk[--n]);
	atomic_store(&exit_seen, 1);
}

static void retire_locked(void *a)
{
	mn_lock_thread();
	retired_tid = mnt_gettid();
	retired_slot = find_slot(retired_tid);
	if (!retired_slot || pthread_setspecific(exit_key, retired_slot))
		atomic_store(&exit_seen, 1);
	/* returns while locked: the thread retires */
}

static int retired_slot_main(void *a)
{
	mn_go(retire_locked, NULL);
	while (!atomic_load(&exit_seen))
		mn_sleep(1000000);
	return retired_slot != NULL;
}

/* A retiring thread's slot stays at its address, intact (magic, tid), for
 * as long as the thread runs at all, as mn_abi.h promises: libmn must not
 * free it before the thread is gone. */
TEST(retired_thread_keeps_its_slot)
{
	ASSERT_EQ(0, pthread_key_create(&exit_key, at_thread_exit));
	ASSERT_EQ(1, mn_main(retired_slot_main, NULL)) TH_LOG("no slot for thread %d", retired_tid);
	EXPECT_EQ(1, exit_on_same_thread);
	EXPECT_EQ(MN_ABI_SLOT_MAGIC, exit_magic);
	EXPECT_EQ((uint32_t)retired_tid, exit_tid);
	EXPECT_EQ(1, mnt_thread_gone(retired_tid));
}

/* libmn.so carries the USDT probes of the contract (provider libmn). */
TEST(usdt_probes_present)
{
	static const char *const probes[] = {
		"thread_start", "thread_exit", "task_create", "task_start", "task_exit",
		"task_block", "task_unblock", "thread_lock", "thread_unlock", "thread_retire",
	};
	char out[65536], cmd[128];
	FILE *f = popen("readelf -n build/libmn.so", "r");
	size_t n;

	ASSERT_NE(NULL, f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	pclose(f);
	EXPECT_NE(NULL, strstr(out, "Provider: libmn"));
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		snprintf(cmd, sizeof(cmd), "Name: %s\n", probes[i]);
		EXPECT_NE(NULL, strstr(out, cmd)) TH_LOG("missing probe %s", probes[i]);
	}
}

static int usdt_main(void *a)
{
	mn_wg_add(&wg, 1);
	mn_go(dirty_then_unlock, NULL);
	mn_wg_wait(&wg);
	return 0;
}

/* The probes fire: bpftrace attached to a libmn process sees thread_start
 * with the slot address and thread_retire naming task 2 and the UTS bit
 * when that task unlocks a thread it moved to a new UTS namespace. */
TEST(usdt_probes_fire)
{
	char exe[PATH_MAX], prog[2048 + 2 * PATH_MAX], cmd[2600], line[256],
	     out[8192] = "";
	Dl_info mod;
	int go[2], outp[2], st;
	ssize_t n;
	pid_t child, bt;
	FILE *f;

	/* The probes are in the module with libmn's code: the executable
	 * (libmn.a), or libmn.so (as build/mnrace-cc links it). */
	ASSERT_NE(0, dladdr((void *)mn_main, &mod));
	if (mod.dli_fname && mod.dli_fname[0] == '/') {
		ASSERT_NE(NULL, realpath(mod.dli_fname, exe));
	} else {
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		ASSERT_GT(n, 0);
		exe[n] = '\0';
	}
	ASSERT_EQ(0, pipe(go));
	child = fork();
	if (child == 0) {
		char c;

		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(3);
		freopen("/dev/null", "w", stderr);
		home_uts = mnt_ns_ino("/proc/self/ns/uts");
		_exit(mn_main(usdt_main, NULL));
	}
	close(go[0]);
	snprintf(prog, sizeof(prog),
		 "BEGIN { printf(\"READY\\n\"); } "
		 "usdt:%s:libmn:thread_start { printf(\"start tid=%%d slot=%%lx\\n\", arg0, arg1); } "
		 "usdt:%s:libmn:thread_retire { printf(\"retire tid=%%d task=%%d mask=%%d\\n\", arg0, arg1, arg2); }",
		 exe, exe);
	ASSERT_EQ(0, pipe(outp));
	bt = fork();
	if (bt == 0) {
		snprintf(cmd, sizeof(cmd), "%d", (int)child);
		dup2(outp[1], 1);
		dup2(outp[1], 2);
		close(outp[0]);
		execlp("bpftrace", "bpftrace", "-p", cmd, "-e", prog, (char *)NULL);
		_exit(127);
	}
	close(outp[1]);
	f = fdopen(outp[0], "r");
	ASSERT_NE(NULL, f);
	/* BEGIN fires once every probe is attached ("Attaching..." is
	 * printed before, and a fixed sleep after it lost probes on a busy
	 * host). */
	while (fgets(line, sizeof(line), f) && strcmp(line, "READY\n"))
		strncat(out, line, sizeof(out) - strlen(out) - 1);
	ASSERT_EQ(1, write(go[1], "g", 1));
	waitpid(child, &st, 0);
	while (fgets(line, sizeof(line), f))	/* bpftrace exits with the child */
		strncat(out, line, sizeof(out) - strlen(out) - 1);
	fclose(f);
	waitpid(bt, NULL, 0);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	EXPECT_NE(NULL, strstr(out, "start tid=")) TH_LOG("bpftrace said: %s", out);
	snprintf(line, sizeof(line), "task=2 mask=%d", 1 << NSTAINT_NS_UTS);
	EXPECT_NE(NULL, strstr(out, line)) TH_LOG("bpftrace said: %s", out);
}

TEST_HARNESS_MAIN
