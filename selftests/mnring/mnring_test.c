// SPDX-License-Identifier: GPL-2.0-only
/*
 * The report ring (include/nstaint/mn_ring.h) between two processes: a
 * child writes with mn_ring_put (user/common/mnring.c), the test reads
 * with the reader nstaint uses (user/nstaint/source/mnring_reader.c),
 * through /proc/PID/fd as nstaint does.  The oracle for what was
 * produced and dropped is the writer's own count of mn_ring_put's
 * answers, passed up a pipe.  Then the reader against rings that lie.
 */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "common/mnring.h"
#include "source/mnring_reader.h"

/* What a writer child tells the test, up its pipe. */
struct report {
	int fd;				/* its ring's fd */
	unsigned long long ok, full;	/* mn_ring_put's 0s and -ENOSPCs */
};

struct writer {
	pid_t pid;
	int up, down;			/* child -> test, test -> child */
	struct report rep;
};

static void put_error(struct mn_ring *r, unsigned long long i,
		      unsigned long long *ok, unsigned long long *full)
{
	struct mn_ring_rec rec = {
		.kind = MN_RING_RUNTIME_ERROR,
		.pid = getpid(),
		.tid = gettid(),
		.task_id = i,
		.error = { .code = MN_RING_ERR_SEND_CLOSED },
	};

	strcpy(rec.error.msg, "send on closed channel");
	if (mn_ring_put(r, &rec))
		(*full)++;
	else
		(*ok)++;
}

/* One of @nthreads writing threads: ids @first, @first + @step, ... */
struct burst {
	struct mn_ring *r;
	unsigned long long first, step, n, ok, full;
};

static void *burst(void *arg)
{
	struct burst *b = arg;

	for (unsigned long long i = 0; i < b->n; i++)
		put_error(b->r, b->first + i * b->step, &b->ok, &b->full);
	return NULL;
}

/* @n records from @nthreads threads at once, added up into @rep. */
static void write_burst(struct mn_ring *r, unsigned long long from, unsigned int n,
			unsigned int nthreads, struct report *rep)
{
	struct burst b[8] = { 0 };
	pthread_t t[8];
	unsigned int k;

	for (k = 0; k < nthreads; k++) {
		b[k] = (struct burst){ r, from + k, nthreads, n / nthreads };
		if (pthread_create(&t[k], NULL, burst, &b[k]))
			_exit(1);
	}
	for (k = 0; k < nthreads; k++) {
		pthread_join(t[k], NULL);
		rep->ok += b[k].ok;
		rep->full += b[k].full;
	}
}

/*
 * A child with a ring of @nrec: it writes @before records, reports, waits
 * for a byte, writes @after more as fast as it can from @nthreads
 * threads (at most 8, dividing @after), reports again, then waits to be
 * killed.
 */
static int start_writer_threads(struct writer *w, unsigned int nrec, unsigned int before,
				unsigned int after, unsigned int nthreads)
{
	int up[2], down[2];
	char c;

	if (pipe(up) || pipe(down))
		return -1;
	w->pid = fork();
	if (w->pid == 0) {
		struct report rep = { 0 };
		struct mn_ring r;
		unsigned long long i;

		close(up[0]);
		close(down[1]);
		if (mn_ring_create(&r, nrec))
			_exit(1);
		rep.fd = r.fd;
		for (i = 0; i < before; i++)
			put_error(&r, i, &rep.ok, &rep.full);
		if (write(up[1], &rep, sizeof(rep)) != sizeof(rep) ||
		    read(down[0], &c, 1) != 1)
			_exit(1);
		write_burst(&r, i, after, nthreads, &rep);
		if (write(up[1], &rep, sizeof(rep)) != sizeof(rep))
			_exit(1);
		for (;;)
			pause();
	}
	close(up[1]);
	close(down[0]);
	w->up = up[0];
	w->down = down[1];
	return w->pid < 0 || read(w->up, &w->rep, sizeof(w->rep)) != sizeof(w->rep) ? -1 : 0;
}

static int start_writer(struct writer *w, unsigned int nrec, unsigned int before,
			unsigned int after)
{
	return start_writer_threads(w, nrec, before, after, 1);
}

static void stop_writer(struct writer *w)
{
	if (w->pid > 0) {
		kill(w->pid, SIGKILL);
		waitpid(w->pid, NULL, 0);
	}
	close(w->up);
	close(w->down);
}

/* What the reader handed on, by task id: in order from one writing
 * thread (no gap), each id once at most. */
struct seen {
	unsigned long long n, next, gaps, twice, outside;
	bool in_order;
	unsigned char got[8000];
};

static void on_rec(void *ctx, const struct mn_ring_rec *rec)
{
	struct seen *s = ctx;

	if (rec->task_id < s->next)
		s->in_order = false;
	s->gaps += rec->task_id != s->next;
	s->next = rec->task_id + 1;
	s->n++;
	if (rec->task_id >= sizeof(s->got))
		s->outside++;
	else if (s->got[rec->task_id]++)
		s->twice++;
}

/* Read until the ring is empty. */
static int drain(struct mnring_reader *r, struct seen *s)
{
	int n, total = 0;

	while ((n = mnring_poll(r, on_rec, s, 64)) > 0)
		total += n;
	return n < 0 ? n : total;
}

/* Let the writer go, read while it writes until it has reported the end,
 * then the rest: 0, or what failed. */
static int read_flood(struct writer *w, struct mnring_reader *r, struct seen *s)
{
	int err;

	if (write(w->down, "g", 1) != 1)
		return -EIO;
	fcntl(w->up, F_SETFL, O_NONBLOCK);
	while (read(w->up, &w->rep, sizeof(w->rep)) != sizeof(w->rep)) {
		err = mnring_poll(r, on_rec, s, 64);
		if (err < 0)
			return err;
	}
	err = drain(r, s);
	return err < 0 ? err : 0;
}

/* A flood 100 times the ring, read while it is written, loses only what
 * the writer was told it dropped: delivered + lost == produced, in order. */
TEST(flood_delivered_plus_lost_is_produced)
{
	static struct seen s = { .in_order = true };
	struct mnring_reader r;
	struct writer w;
	char why[128];

	ASSERT_EQ(0, start_writer(&w, 64, 0, 6400));
	ASSERT_EQ(0, mnring_open(&r, w.pid, w.rep.fd, why, sizeof(why))) TH_LOG("%s", why);
	ASSERT_EQ(0, read_flood(&w, &r, &s));
	TH_LOG("produced 6400: written %llu, dropped %llu; read %llu, lost %llu",
	       w.rep.ok, w.rep.full, r.st.delivered, r.st.lost);
	EXPECT_EQ(6400, w.rep.ok + w.rep.full);
	EXPECT_EQ(w.rep.ok, r.st.delivered);
	EXPECT_EQ(w.rep.full, r.st.lost);
	EXPECT_EQ(0, r.st.invalid);
	EXPECT_TRUE(s.in_order);
	EXPECT_EQ(r.st.delivered, s.n);
	mnring_close(&r);
	stop_writer(&w);
}

/* Four threads writing at once (the compare-and-swap of the head): still
 * delivered + lost == produced, and no index read twice. */
TEST(four_writers)
{
	static struct seen s = { .in_order = true };
	struct mnring_reader r;
	struct writer w;
	char why[128];

	ASSERT_EQ(0, start_writer_threads(&w, 64, 0, 8000, 4));
	ASSERT_EQ(0, mnring_open(&r, w.pid, w.rep.fd, why, sizeof(why))) TH_LOG("%s", why);
	ASSERT_EQ(0, read_flood(&w, &r, &s));
	TH_LOG("produced 8000: written %llu, dropped %llu; read %llu, lost %llu",
	       w.rep.ok, w.rep.full, r.st.delivered, r.st.lost);
	EXPECT_EQ(8000, w.rep.ok + w.rep.full);
	EXPECT_EQ(w.rep.ok, r.st.delivered);
	EXPECT_EQ(w.rep.full, r.st.lost);
	EXPECT_EQ(0, s.twice);
	EXPECT_EQ(0, s.outside);
	EXPECT_EQ(0, r.st.invalid);
	mnring_close(&r);
	stop_writer(&w);
}

/* Records written before any reader came are all read by the first one;
 * a full ring with no reader drops the rest, counted, without waiting,
 * and the first reader reports those drops. */
TEST(records_before_the_reader_are_kept)
{
	struct seen s = { .in_order = true };
	struct mnring_reader r;
	struct writer w;
	char why[128];

	ASSERT_EQ(0, start_writer(&w, 16, 40, 0));
	EXPECT_EQ(16, w.rep.ok);
	EXPECT_EQ(24, w.rep.full);
	ASSERT_EQ(0, mnring_open(&r, w.pid, w.rep.fd, why, sizeof(why))) TH_LOG("%s", why);
	EXPECT_EQ(16, drain(&r, &s));
	EXPECT_EQ(0, s.gaps);
	/* Nobody read the ring before: its drops are this reader's to say. */
	EXPECT_EQ(24, r.st.lost);
	mnring_close(&r);
	stop_writer(&w);
}

/* A second reader resumes where the first stopped: nothing twice,
 * nothing skipped. */
TEST(next_reader_resumes)
{
	struct seen s = { .in_order = true };
	struct mnring_reader r;
	struct writer w;
	char why[128];

	ASSERT_EQ(0, start_writer(&w, 64, 10, 0));
	ASSERT_EQ(0, mnring_open(&r, w.pid, w.rep.fd, why, sizeof(why)));
	EXPECT_EQ(4, mnring_poll(&r, on_rec, &s, 4));
	mnring_close(&r);
	ASSERT_EQ(0, mnring_open(&r, w.pid, w.rep.fd, why, sizeof(why)));
	EXPECT_EQ(6, drain(&r, &s));
	EXPECT_EQ(10, s.n);
	EXPECT_EQ(0, s.gaps);
	mnring_close(&r);
	stop_writer(&w);
}

/* While a live process reads the ring, another reader is refused; once
 * it is gone the ring can be claimed again. */
TEST(one_live_reader)
{
	struct mnring_reader r;
	struct writer w;
	int held[2];
	char why[128], c;
	pid_t other;

	ASSERT_EQ(0, start_writer(&w, 16, 1, 0));
	ASSERT_EQ(0, pipe(held));
	other = fork();
	if (other == 0) {
		c = mnring_open(&r, w.pid, w.rep.fd, why, sizeof(why)) ? 'n' : 'y';
		if (write(held[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	ASSERT_EQ(1, read(held[0], &c, 1));
	ASSERT_EQ('y', c);
	EXPECT_EQ(-EBUSY, mnring_open(&r, w.pid, w.rep.fd, why, sizeof(why)));
	TH_LOG("while pid %d reads: %s", other, why);
	kill(other, SIGKILL);
	waitpid(other, NULL, 0);
	ASSERT_EQ(0, mnring_open(&r, w.pid, w.rep.fd, why, sizeof(why))) TH_LOG("%s", why);
	mnring_close(&r);
	stop_writer(&w);
}

/* An fd that is a FIFO is never opened for reading (which would block
 * until a writer came): refused at once as no ring. */
TEST(fifo_is_not_opened)
{
	struct mnring_reader r;
	char dir[] = "/tmp/mnringXXXXXX", path[64], why[128];
	int fd;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fifo", dir);
	ASSERT_EQ(0, mkfifo(path, 0600));
	fd = open(path, O_RDWR);	/* ours does not block: both ends */
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EPROTO, mnring_open(&r, getpid(), fd, why, sizeof(why)));
	TH_LOG("%s", why);
	close(fd);
	unlink(path);
	rmdir(dir);
}

/* A ring file that may shrink (not sealed) is never mapped. */
TEST(unsealed_file_refused)
{
	struct mn_ring_hdr h = {
		.magic = MN_RING_MAGIC, .version = MN_RING_VERSION,
		.hdr_size = MN_RING_HDR_SIZE, .rec_size = sizeof(struct mn_ring_rec),
		.nrec = 16,
	};
	struct mnring_reader r;
	char why[128];
	int fd = memfd_create("fake", MFD_CLOEXEC);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, MN_RING_HDR_SIZE + 16 * sizeof(struct mn_ring_rec)));
	ASSERT_EQ(sizeof(h), pwrite(fd, &h, sizeof(h), 0));
	EXPECT_EQ(-EPROTO, mnring_open(&r, getpid(), fd, why, sizeof(why)));
	TH_LOG("%s", why);
	close(fd);
}

/* A ring whose header claims more records than the file holds is refused
 * (reading them would fault). */
TEST(header_larger_than_file_refused)
{
	struct mnring_reader r;
	struct mn_ring w;
	char why[128];

	ASSERT_EQ(0, mn_ring_create(&w, 16));
	w.hdr->nrec = 1024;
	EXPECT_EQ(-EPROTO, mnring_open(&r, getpid(), w.fd, why, sizeof(why)));
	TH_LOG("%s", why);
	mn_ring_destroy(&w);
}

/* A record that breaks the rules is counted and skipped, the next one is
 * still read; a sequence number out of order ends the ring, and nothing
 * more is read from it. */
TEST(bad_records_and_bad_sequence)
{
	struct seen s = { .in_order = true };
	struct mn_ring_rec rec = { .pid = getpid(), .tid = gettid(),
				   .kind = MN_RING_TASK_LEAK };
	struct mnring_reader r;
	struct mn_ring w;
	char why[128];

	ASSERT_EQ(0, mn_ring_create(&w, 16));
	ASSERT_EQ(0, mnring_open(&r, getpid(), w.fd, why, sizeof(why)));
	rec.kind = MN_RING_KIND_COUNT;		/* no such kind */
	ASSERT_EQ(0, mn_ring_put(&w, &rec));
	rec.kind = MN_RING_TASK_LEAK;
	rec.leak.depth = MN_RING_STACK + 1;	/* more PCs than it has */
	ASSERT_EQ(0, mn_ring_put(&w, &rec));
	rec.leak.depth = 0;
	memset(rec.leak.msg, 'x', sizeof(rec.leak.msg));	/* no NUL */
	ASSERT_EQ(0, mn_ring_put(&w, &rec));
	rec.leak.msg[0] = 0;
	rec.pid = getpid() + 1;			/* another process's */
	ASSERT_EQ(0, mn_ring_put(&w, &rec));
	rec.pid = getpid();
	rec.task_id = 0;
	ASSERT_EQ(0, mn_ring_put(&w, &rec));	/* a good one */
	EXPECT_EQ(5, drain(&r, &s));
	EXPECT_EQ(4, r.st.invalid);
	EXPECT_EQ(1, r.st.delivered);
	/* The writer's sequence goes wrong: the slot of the next index says
	 * it holds one far ahead. */
	w.rec[5].seq = 1000;
	EXPECT_EQ(-EPROTO, mnring_poll(&r, on_rec, &s, 64));
	ASSERT_NE(NULL, r.broken);
	TH_LOG("given up: %s", r.broken);
	w.rec[5].seq = 5;
	ASSERT_EQ(0, mn_ring_put(&w, &rec));
	EXPECT_EQ(-EPROTO, mnring_poll(&r, on_rec, &s, 64));
	EXPECT_EQ(1, s.n);
	mnring_close(&r);
	mn_ring_destroy(&w);
}

/* mnring_poll_before stops at the first record made at the limit or
 * later and leaves it for the next call, in order; a record stamped
 * later than the clock now is a lie that would hold the ring up: taken,
 * invalid.  The limits and the clock are CLOCK_MONOTONIC (clock_gettime
 * here, the oracle). */
TEST(poll_before_a_time)
{
	struct seen s = { .in_order = true };
	struct mn_ring_rec rec = { .pid = getpid(), .tid = gettid(),
				   .kind = MN_RING_TASK_LEAK };
	struct mnring_reader r;
	struct mn_ring w;
	struct timespec t;
	char why[128];
	__u64 now;

	clock_gettime(CLOCK_MONOTONIC, &t);
	now = t.tv_sec * 1000000000ULL + t.tv_nsec;
	ASSERT_EQ(0, mn_ring_create(&w, 16));
	ASSERT_EQ(0, mnring_open(&r, getpid(), w.fd, why, sizeof(why)));
	rec.time_ns = now - 2000;
	rec.task_id = 0;
	ASSERT_EQ(0, mn_ring_put(&w, &rec));
	rec.time_ns = now - 1000;
	rec.task_id = 1;
	ASSERT_EQ(0, mn_ring_put(&w, &rec));
	EXPECT_EQ(1, mnring_poll_before(&r, on_rec, &s, 64, now - 1000));
	EXPECT_EQ(1, s.n);
	EXPECT_EQ(1, mnring_poll_before(&r, on_rec, &s, 64, now));
	EXPECT_EQ(2, s.n);
	/* A day ahead of the clock. */
	rec.time_ns = now + 86400ULL * 1000000000ULL;
	rec.task_id = 2;
	ASSERT_EQ(0, mn_ring_put(&w, &rec));
	rec.time_ns = now - 500;
	rec.task_id = 3;
	ASSERT_EQ(0, mn_ring_put(&w, &rec));
	EXPECT_EQ(2, mnring_poll_before(&r, on_rec, &s, 64, now));
	EXPECT_EQ(1, r.st.invalid);
	EXPECT_EQ(3, r.st.delivered);
	EXPECT_EQ(3, s.n);
	EXPECT_TRUE(s.in_order);
	mnring_close(&r);
	mn_ring_destroy(&w);
}

/* A lost count that goes back is a lie: the ring is given up. */
TEST(lost_count_going_back)
{
	struct seen s = { .in_order = true };
	struct mnring_reader r;
	struct mn_ring w;
	char why[128];

	ASSERT_EQ(0, mn_ring_create(&w, 16));
	w.hdr->lost = 10;
	ASSERT_EQ(0, mnring_open(&r, getpid(), w.fd, why, sizeof(why)));
	w.hdr->lost = 12;
	EXPECT_EQ(0, mnring_poll(&r, on_rec, &s, 64));
	EXPECT_EQ(12, r.st.lost);	/* never read before: all of them */
	w.hdr->lost = 3;
	EXPECT_EQ(-EPROTO, mnring_poll(&r, on_rec, &s, 64));
	mnring_close(&r);
	mn_ring_destroy(&w);
}

TEST_HARNESS_MAIN
