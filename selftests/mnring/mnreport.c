// SPDX-License-Identifier: GPL-2.0-only
/*
 * A libmn program that makes the reports of one kind that libmn (and
 * mnrace, through mn_ring_report) write into its report ring, for
 * ringtrace_test.sh to find under `nstaint trace`.  It prints, before
 * each report, what it knows for the test to check the event against
 * (its pid, task ids, thread ids, namespace inodes from stat(2), source
 * lines), one "WORD key=value ..." line each, flushed.
 *   send_closed close_closed close_nil unlock_unlocked cond_unlocked
 *   wg_negative wg_reuse deadlock outside_task
 *             the fatal misuse of that name (exit 2); wg_reuse: a task
 *             waits, the count drops to 0 and is raised again before the
 *             waiter ran (MN_PROCS=1 makes the order)
 *   leaks     (MN_LEAKS=1) a task left blocked and a context never
 *             cancelled, reported at exit
 *   retired   a locked task moves its thread to a new uts namespace and
 *             unlocks: libmn retires the thread
 *   race      two data_race records built from real PCs of this file
 *             (race_site(): return addresses of calls on known lines,
 *             as mnrace gives them): one by a task that never ran
 *             on a tainted thread, then one by a task that unshared
 *             its thread without locking it first (MN_PROCS=1)
 *   flood N   N records as fast as it can: "flood produced=N accepted=A
 *             dropped=D" (D: mn_ring_report said the ring was full)
 *   hostile   one good record; once a reader has read it, a record with
 *             a stack depth of 1000; once read, a slot's sequence
 *             number scribbled over (the reader must give the ring up)
 *   pre MODE  prints "ready", reads a line from stdin, then does MODE:
 *             started before the tracer
 *   probed MODE  waits until a tracer has libmn:ring_ready attached in
 *             this file (its semaphore, static libmn only: bounded, 60 s,
 *             else exit 5), prints "probed", then does as pre MODE
 */
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <mn.h>
#include <nstaint/mn_abi.h>
#include <nstaint/mn_ring.h>
#include <nstaint/mnrace_abi.h>

extern struct mn_abi_registry mn_nstaint_registry;
/* libmn's (ring.c), hidden: in this executable with a static libmn,
 * absent (NULL) with libmn.so. */
extern unsigned short libmn_ring_ready_semaphore
	__attribute__((weak, visibility("hidden")));

static const char *mode;
static int flood_n;

static long tid(void)
{
	return syscall(SYS_gettid);
}

static unsigned long long ino_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : (unsigned long long)st.st_ino;
}

static void say_task(const char *word)
{
	printf("%s pid=%d task=%llu tid=%ld\n", word, getpid(),
	       (unsigned long long)mn_task_id(), tid());
	fflush(stdout);
}

static void block_forever(void *arg)
{
	int v;

	mn_chan_recv(arg, &v);
}

static void retire(void *arg)
{
	unsigned long long old = ino_of("/proc/thread-self/ns/uts");

	mn_lock_thread();
	if (unshare(CLONE_NEWUTS))
		_exit(11);
	printf("retired pid=%d task=%llu tid=%ld old=%llu new=%llu\n", getpid(),
	       (unsigned long long)mn_task_id(), tid(), old,
	       ino_of("/proc/thread-self/ns/uts"));
	fflush(stdout);
	mn_unlock_thread();
	mn_sem_release(arg);
}

/* Its caller's return address: what an instrumentation call such as
 * __tsan_write4 takes as its access's PC. */
static __attribute__((noinline)) __u64 access_pc(void)
{
	return (__u64)(uintptr_t)__builtin_return_address(0);
}

/*
 * A race access's stack as mnrace gives it: the return address of a call
 * on a line this file knows (the access's "instrumentation"), then the
 * caller's return address.  noinline: a frame.
 */
static __attribute__((noinline)) void race_site(__u64 *pcs, int *line)
{
	*line = __LINE__; pcs[0] = access_pc();
	pcs[1] = (__u64)(uintptr_t)__builtin_return_address(0);
}

static mn_waitgroup reuse_wg;

static void wg_waiter(void *arg)
{
	mn_wg_wait(&reuse_wg);
}

static int shared_word;

/* A race on shared_word by this task (a write) and task @other (a read
 * on thread @other_tid), both accesses at race_site. */
static void report_race(const char *word, unsigned long long other,
			long other_tid)
{
	struct mn_ring_rec r;
	int line, call_line;

	memset(&r, 0, sizeof(r));
	r.kind = MN_RING_DATA_RACE;
	r.tid = tid();
	r.task_id = mn_task_id();
	r.race.cur.addr = (__u64)(uintptr_t)&shared_word;
	r.race.cur.task_id = mn_task_id();
	r.race.cur.size = sizeof(shared_word);
	r.race.cur.flags = MN_RING_ACC_WRITE;
	r.race.cur.tid = tid();
	r.race.cur.depth = 2;
	call_line = __LINE__; race_site(r.race.cur.stack, &line);
	r.race.prev = r.race.cur;
	r.race.prev.task_id = other;
	r.race.prev.tid = other_tid;
	r.race.prev.flags = 0;
	r.race.prev.depth = 1;
	r.race.loc_kind = MN_RING_LOC_GLOBAL;
	printf("%s pid=%d task=%llu tid=%ld other=%llu line=%d call=%d addr=%llu\n",
	       word, getpid(), (unsigned long long)mn_task_id(), tid(), other,
	       line, call_line, (unsigned long long)(uintptr_t)&shared_word);
	fflush(stdout);
	if (mn_ring_report(&r))
		_exit(12);
}

static unsigned long long main_task;
static long main_tid;

/* Never on a tainted thread: the thread is home all along. */
static void race_clean(void *arg)
{
	report_race("race_clean", main_task, main_tid);
	mn_sem_release(arg);
}

/* Unshares its thread unlocked (the bug), then races, then goes home. */
static void race_tainted(void *arg)
{
	int home = open("/proc/thread-self/ns/uts", O_RDONLY | O_CLOEXEC);

	if (home < 0 || unshare(CLONE_NEWUTS))
		_exit(13);
	usleep(20000);
	report_race("race_tainted", main_task, main_tid);
	if (setns(home, CLONE_NEWUTS))
		_exit(14);
	close(home);
	mn_sem_release(arg);
}

static void flood(void)
{
	struct mn_ring_rec r;
	int i, accepted = 0;

	for (i = 0; i < flood_n; i++) {
		memset(&r, 0, sizeof(r));
		r.kind = MN_RING_TASK_LEAK;
		r.tid = tid();
		r.task_id = mn_task_id();
		snprintf(r.leak.msg, sizeof(r.leak.msg), "flood %d", i);
		accepted += !mn_ring_report(&r);
	}
	printf("flood produced=%d accepted=%d dropped=%d\n", flood_n, accepted,
	       flood_n - accepted);
	fflush(stdout);
}

/* Until the reader's tail is @n (bounded: 30 s, then exit 3). */
static void wait_read(struct mn_ring_hdr *h, unsigned long long n)
{
	for (int i = 0; i < 30000; i++) {
		if (__atomic_load_n(&h->reader, __ATOMIC_ACQUIRE) &&
		    __atomic_load_n(&h->tail, __ATOMIC_ACQUIRE) >= n)
			return;
		usleep(1000);
	}
	fprintf(stderr, "hostile: ring not read up to %llu\n", n);
	_exit(3);
}

static void hostile(void)
{
	struct mn_ring_hdr *h = (void *)(uintptr_t)mn_nstaint_registry.ring.addr;
	struct mn_ring_rec r, *slot;

	if (!h)
		_exit(15);
	memset(&r, 0, sizeof(r));
	r.kind = MN_RING_TASK_LEAK;
	r.tid = tid();
	snprintf(r.leak.msg, sizeof(r.leak.msg), "hostile ok");
	say_task("hostile");
	if (mn_ring_report(&r))
		_exit(16);
	wait_read(h, 1);
	/* Huge counts: a stack deeper than a record holds. */
	memset(&r, 0, sizeof(r));
	r.kind = MN_RING_RUNTIME_ERROR;
	r.tid = tid();
	r.error.depth = 1000;
	if (mn_ring_report(&r))
		_exit(17);
	wait_read(h, 2);
	/* A sequence number no state of the protocol has, and the magic
	 * gone: the reader must stop reading this ring. */
	slot = (struct mn_ring_rec *)((char *)h + MN_RING_HDR_SIZE) +
	       (2 & (h->nrec - 1));
	__atomic_store_n(&slot->seq, 999999, __ATOMIC_RELEASE);
	__atomic_store_n(&h->head, 3, __ATOMIC_RELEASE);
	h->magic = 0;
	printf("hostile scribbled\n");
	fflush(stdout);
}

static int program(void *arg)
{
	mn_chan *c = mn_chan_make(sizeof(int), 1);
	mn_waitgroup wg = { 0 };
	mn_mutex mu = { 0 };
	mn_sem done;
	int v = 0;

	main_task = mn_task_id();
	main_tid = tid();
	if (!strcmp(mode, "probed")) {
		int i;

		if (!&libmn_ring_ready_semaphore)
			return 6;

		for (i = 0; i < 60000 && !__atomic_load_n(&libmn_ring_ready_semaphore,
							  __ATOMIC_RELAXED); i++)
			usleep(1000);
		if (i == 60000)
			return 5;
		printf("probed pid=%d\n", getpid());
		fflush(stdout);
		mode = "pre";
	}
	if (!strcmp(mode, "pre")) {
		char line[16];

		mode = arg;
		printf("ready pid=%d\n", getpid());
		fflush(stdout);
		if (!fgets(line, sizeof(line), stdin))
			return 4;
	}
	say_task("main");
	if (!strcmp(mode, "send_closed")) {
		mn_chan_close(c);
		mn_chan_send(c, &v);
	} else if (!strcmp(mode, "close_closed")) {
		mn_chan_close(c);
		mn_chan_close(c);
	} else if (!strcmp(mode, "close_nil")) {
		mn_chan_close(NULL);
	} else if (!strcmp(mode, "unlock_unlocked")) {
		mn_mutex_unlock(&mu);
	} else if (!strcmp(mode, "wg_negative")) {
		mn_wg_add(&wg, -1);
	} else if (!strcmp(mode, "cond_unlocked")) {
		mn_cond cond = { 0 };

		mn_cond_wait(&cond, &mu);
	} else if (!strcmp(mode, "wg_reuse")) {
		mn_wg_add(&reuse_wg, 1);
		mn_go(wg_waiter, NULL);
		mn_yield();		/* the waiter parks in mn_wg_wait */
		mn_wg_add(&reuse_wg, -1);
		mn_wg_add(&reuse_wg, 1);	/* before it returned */
	} else if (!strcmp(mode, "deadlock")) {
		mn_chan_recv(c, &v);
		mn_chan_recv(c, &v);
	} else if (!strcmp(mode, "leaks")) {
		printf("leak task=%llu creator=%llu\n",
		       (unsigned long long)mn_go(block_forever, c),
		       (unsigned long long)mn_task_id());
		fflush(stdout);
		mn_yield();
		mn_ctx_with_cancel_at(mn_ctx_background(), "leaky.c", 42);
	} else if (!strcmp(mode, "retired")) {
		mn_sem_init(&done, 0);
		mn_go(retire, &done);
		mn_sem_acquire(&done);
	} else if (!strcmp(mode, "race")) {
		mn_sem_init(&done, 0);
		mn_go(race_clean, &done);
		mn_sem_acquire(&done);
		mn_go(race_tainted, &done);
		mn_sem_acquire(&done);
	} else if (!strcmp(mode, "flood")) {
		flood();
	} else if (!strcmp(mode, "hostile")) {
		hostile();
	} else if (strcmp(mode, "outside_task")) {
		fprintf(stderr, "mnreport: unknown mode %s\n", mode);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int ret;

	if (argc < 2)
		return 1;
	mode = argv[1];
	if (!strcmp(mode, "flood") && argc > 2)
		flood_n = atoi(argv[2]);
	setenv("MN_PROCS", "1", 1);
	ret = mn_main(program, argc > 2 ? argv[2] : NULL);
	if (!strcmp(mode, "outside_task")) {
		say_task("outside");
		mn_lock_thread();	/* no task here: fatal */
	}
	return ret;
}
