// SPDX-License-Identifier: GPL-2.0-only
/*
 * mnrace's data race reports on libmn's report ring, end to end: the
 * test runs progs/mn_ring (built with mnrace-cc: two races, one on a
 * global, one on a heap word), finds its ring as nstaint does (mnattr),
 * opens it with nstaint's reader before the races and reads it after.
 * The oracles are outside the runtime under test: the addresses and
 * thread ids the program printed itself, the racing functions' ranges
 * from the binary's ELF symbol table, and the stderr text report (one
 * record per report, the same addresses, sizes, task ids and frame #0
 * offsets).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "attr/mnattr.h"
#include "source/mnring_reader.h"

#define PROG	"build/selftests/mnrace/progs/mn_ring"
#define MAXREC	8

struct run {
	pid_t pid;
	int status;
	bool had_ring;
	char out[1024];			/* its stdout */
	char err[16384];		/* its stderr: the text reports */
	/* What it printed before racing. */
	unsigned long g, blk, fn[4];	/* write_global, write_heap, read_global, read_heap */
	int child_tid, main_tid;	/* printed at the accesses */
	struct mn_ring_rec got[MAXREC];
	int ngot;
	struct mnring_stats st;
};

static const char *const fn_names[4] = { "write_global", "write_heap", "read_global",
					 "read_heap" };

static void on_rec(void *ctx, const struct mn_ring_rec *rec)
{
	struct run *r = ctx;

	if (r->ngot < MAXREC)
		r->got[r->ngot++] = *rec;
}

static ssize_t read_all(int fd, char *buf, size_t cap, size_t len)
{
	ssize_t n;

	while (len < cap - 1 && (n = read(fd, buf + len, cap - 1 - len)) > 0)
		len += n;
	buf[len] = 0;
	return len;
}

/* Run the program's @variant; @ring_off: with MN_RING=0.  0, or -1 with
 * why in TH_LOG. */
static int run(struct __test_metadata *_metadata, const char *variant, bool ring_off,
	       struct run *r)
{
	int in[2], out[2], err[2];
	struct mnring_reader rd;
	struct mn_abi_ring ref;
	struct mn_proc mp;
	char why[128];
	size_t len = 0;
	char *nl;

	memset(r, 0, sizeof(*r));
	if (pipe(in) || pipe(out) || pipe(err))
		return -1;
	r->pid = fork();
	if (r->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		if (ring_off)
			setenv("MN_RING", "0", 1);
		execl(PROG, PROG, variant, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(err[1]);
	if (r->pid < 0)
		return -1;
	/* Its first line: where things are; then it waits on stdin. */
	while (!(nl = memchr(r->out, '\n', len))) {
		ssize_t n = read(out[0], r->out + len, sizeof(r->out) - 1 - len);

		if (n <= 0) {
			TH_LOG("no first line from %s", PROG);
			return -1;
		}
		len += n;
	}
	if (sscanf(r->out, "g %lx blk %lx write_global %lx write_heap %lx read_global %lx "
		   "read_heap %lx", &r->g, &r->blk, &r->fn[0], &r->fn[1], &r->fn[2],
		   &r->fn[3]) != 6) {
		TH_LOG("bad first line: %s", r->out);
		return -1;
	}
	if (mnattr_find(r->pid, &mp)) {
		TH_LOG("pid %d has no libmn registry", r->pid);
		return -1;
	}
	r->had_ring = !mnattr_ring(r->pid, mp.registry, &ref);
	if (r->had_ring && mnring_open(&rd, r->pid, ref.fd, why, sizeof(why))) {
		TH_LOG("mnring_open: %s", why);
		return -1;
	}
	if (write(in[1], "g", 1) != 1)
		return -1;
	read_all(err[0], r->err, sizeof(r->err), 0);
	read_all(out[0], r->out, sizeof(r->out), len);
	waitpid(r->pid, &r->status, 0);
	if (strstr(r->out, "child_tid "))
		r->child_tid = atoi(strstr(r->out, "child_tid ") + 10);
	if (strstr(r->out, "main_tid "))
		r->main_tid = atoi(strstr(r->out, "main_tid ") + 9);
	if (r->had_ring) {
		while (mnring_poll(&rd, on_rec, r, MAXREC) > 0)
			;
		r->st = rd.st;
		mnring_close(&rd);
	}
	close(in[1]);
	close(out[0]);
	close(err[0]);
	return 0;
}

/* st_value and st_size of function @name in @path's .symtab. */
static int elf_func(const char *path, const char *name, unsigned long *value,
		    unsigned long *size)
{
	int fd = open(path, O_RDONLY), found = -1;
	Elf_Scn *scn = NULL;
	Elf *elf;

	if (fd < 0 || elf_version(EV_CURRENT) == EV_NONE ||
	    !(elf = elf_begin(fd, ELF_C_READ, NULL)))
		return -1;
	while (found && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB ||
		    !(d = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym s;
			const char *n;

			if (!gelf_getsym(d, i, &s) || GELF_ST_TYPE(s.st_info) != STT_FUNC ||
			    !(n = elf_strptr(elf, sh.sh_link, s.st_name)) || strcmp(n, name))
				continue;
			*value = s.st_value;
			*size = s.st_size;
			found = 0;
			break;
		}
	}
	elf_end(elf);
	close(fd);
	return found;
}

static int count_reports(const char *err)
{
	int n = 0;

	for (const char *p = err; (p = strstr(p, "WARNING: mnrace: data race")); p++)
		n++;
	return n;
}

/* The text of the report in @err whose current access is at @addr, into
 * @buf; -1: none. */
static int report_at(const char *err, unsigned long addr, char *buf, size_t cap)
{
	char want[64];

	snprintf(want, sizeof(want), " of size ");
	for (const char *p = err; (p = strstr(p, "WARNING: mnrace: ")); p++) {
		const char *end = strstr(p, "SUMMARY: "), *acc = strstr(p, want);
		unsigned long a;

		if (!end || !acc || acc > end)
			return -1;
		acc = strstr(acc, " at ");
		if (acc && sscanf(acc, " at %lx", &a) == 1 && a == addr) {
			snprintf(buf, cap, "%.*s", (int)(end - p), p);
			return 0;
		}
	}
	return -1;
}

/* What one report's text says of an access ("Read of size 4 at 0x... by
 * task 4:" after @lead), and the module offset of its frame #0. */
struct said {
	char what[32];
	unsigned size, task;
	unsigned long addr, off0;
};

static int parse_access(const char *rep, const char *lead, struct said *s)
{
	const char *p = strstr(rep, lead), *f;

	if (!p || sscanf(p + strlen(lead), "%31s of size %u at %lx by task %u:", s->what,
			 &s->size, &s->addr, &s->task) != 4)
		return -1;
	f = strstr(p, "    #0 ");
	f = f ? strstr(f, "(mn_ring+") : NULL;
	if (!f || sscanf(f, "(mn_ring+%lx)", &s->off0) != 1)
		return -1;
	return 0;
}

/* The thread "Task @task (... thread N)" names in @rep; 0: none. */
static int task_thread(const char *rep, unsigned task)
{
	char want[32];
	const char *p;

	snprintf(want, sizeof(want), "  Task %u (", task);
	p = strstr(rep, want);
	p = p ? strstr(p, "thread ") : NULL;
	return p ? atoi(p + 7) : 0;
}

struct fnrange {
	unsigned long lo, hi;
};

/* Where function @name lies in the child: its ELF st_value and st_size,
 * moved by the load bias the program's own &write_global gives. */
static struct fnrange fn_at(struct __test_metadata *_metadata, const struct run *r,
			    const char *name)
{
	unsigned long v0, s0, v, sz;
	struct fnrange f = { 0, 0 };

	if (elf_func(PROG, fn_names[0], &v0, &s0) || elf_func(PROG, name, &v, &sz)) {
		TH_LOG("no symbol %s in %s", name, PROG);
		return f;
	}
	f.lo = v + (r->fn[0] - v0);
	f.hi = f.lo + sz;
	return f;
}

static bool in(struct fnrange f, __u64 pc)
{
	return pc > f.lo && pc < f.hi;	/* a return address: after the call */
}

/* Record @rec against the text report of its race and the program's
 * own facts: @fcur and @fprev the functions of the two accesses, @fcaller
 * and @fchild the functions that called them. */
static void check_record(struct __test_metadata *_metadata, const struct run *r,
			 const struct mn_ring_rec *rec, unsigned size, const char *fcur,
			 const char *fprev, const char *fcaller, const char *fchild)
{
	const struct mn_ring_race *rr = &rec->race;
	struct said cur, prev;
	char rep[8192];

	ASSERT_EQ(MN_RING_DATA_RACE, rec->kind);
	ASSERT_EQ(0, report_at(r->err, rr->cur.addr, rep, sizeof(rep)))
		TH_LOG("no text report at %#llx", (unsigned long long)rr->cur.addr);
	ASSERT_EQ(0, parse_access(rep, "  ", &cur));
	ASSERT_EQ(0, parse_access(rep, "  Previous ", &prev));
	EXPECT_EQ(r->pid, (pid_t)rec->pid);
	/* The accesses: sizes, kinds, addresses, tasks, as the text says. */
	EXPECT_STREQ("Read", cur.what);
	EXPECT_STREQ("write", prev.what);
	EXPECT_EQ(size, rr->cur.size);
	EXPECT_EQ(size, rr->prev.size);
	EXPECT_EQ(cur.size, rr->cur.size);
	EXPECT_EQ(prev.size, rr->prev.size);
	EXPECT_EQ(0, rr->cur.flags);
	EXPECT_EQ(MN_RING_ACC_WRITE, rr->prev.flags);
	EXPECT_EQ(prev.addr, rr->prev.addr);
	EXPECT_EQ(cur.task, rr->cur.task_id);
	EXPECT_EQ(cur.task, rec->task_id);
	EXPECT_EQ(prev.task, rr->prev.task_id);
	/* The threads: as the program saw them at its accesses. */
	EXPECT_EQ(r->main_tid, (int)rr->cur.tid);
	EXPECT_EQ(r->main_tid, (int)rec->tid);
	EXPECT_EQ(r->child_tid, (int)rr->prev.tid);
	EXPECT_EQ(task_thread(rep, prev.task), (int)rr->prev.tid);
	/* The stacks: each access in its function, called from its caller,
	 * frame #0 at the offset the text prints. */
	ASSERT_LE(2, rr->cur.depth);
	ASSERT_LE(2, rr->prev.depth);
	EXPECT_TRUE(in(fn_at(_metadata, r, fcur), rr->cur.stack[0]))
		TH_LOG("cur #0 %#llx not in %s", (unsigned long long)rr->cur.stack[0], fcur);
	EXPECT_TRUE(in(fn_at(_metadata, r, fprev), rr->prev.stack[0]))
		TH_LOG("prev #0 %#llx not in %s", (unsigned long long)rr->prev.stack[0], fprev);
	EXPECT_TRUE(in(fn_at(_metadata, r, fcaller), rr->cur.stack[1]));
	EXPECT_TRUE(in(fn_at(_metadata, r, fchild), rr->prev.stack[1]));
}

/* The racy run: one record per text report (two), each checked; nothing
 * invalid, nothing lost. */
TEST(races_on_the_ring)
{
	unsigned long v, sz, base;
	struct run r;
	int nglob = 0, nheap = 0;

	ASSERT_EQ(0, run(_metadata, "race", false, &r));
	ASSERT_TRUE(WIFEXITED(r.status));
	EXPECT_EQ(66, WEXITSTATUS(r.status));
	ASSERT_TRUE(r.had_ring);
	ASSERT_NE(0, r.main_tid) TH_LOG("stdout: %s", r.out);
	EXPECT_EQ(2, count_reports(r.err)) TH_LOG("stderr: %s", r.err);
	EXPECT_EQ(count_reports(r.err), r.ngot);
	EXPECT_EQ(0, r.st.invalid);
	EXPECT_EQ(0, r.st.lost);
	ASSERT_EQ(0, elf_func(PROG, fn_names[0], &v, &sz));
	base = r.fn[0] - v;
	for (int i = 0; i < r.ngot; i++) {
		const struct mn_ring_race *rr = &r.got[i].race;
		struct said cur;
		char rep[8192];

		if (rr->cur.addr == r.g) {
			nglob++;
			check_record(_metadata, &r, &r.got[i], sizeof(int), "read_global",
				     "write_global", "test_main", "child");
			EXPECT_EQ(r.g, rr->prev.addr);
			EXPECT_EQ(MN_RING_LOC_GLOBAL, rr->loc_kind);
			EXPECT_EQ(r.g, rr->loc_addr);
			EXPECT_EQ(sizeof(int), rr->loc_size);
		} else if (rr->cur.addr == r.blk + 3 * sizeof(long)) {
			nheap++;
			check_record(_metadata, &r, &r.got[i], sizeof(long), "read_heap",
				     "write_heap", "test_main", "child");
			EXPECT_EQ(r.blk + 3 * sizeof(long), rr->prev.addr);
			EXPECT_EQ(MN_RING_LOC_HEAP, rr->loc_kind);
			EXPECT_EQ(r.blk, rr->loc_addr);
			EXPECT_EQ(64, rr->loc_size);
			/* Allocated by the reading task, in malloc's own
			 * frame (as TSan's #0 malloc), called by test_main. */
			EXPECT_EQ(rr->cur.task_id, rr->loc_task);
			ASSERT_LE(2, rr->loc_depth);
			EXPECT_TRUE(in(fn_at(_metadata, &r, "malloc"), rr->loc_stack[0]));
			EXPECT_TRUE(in(fn_at(_metadata, &r, "test_main"), rr->loc_stack[1]));
		} else {
			TH_LOG("record at %#llx: neither &g nor the block",
			       (unsigned long long)rr->cur.addr);
			EXPECT_TRUE(false);
			continue;
		}
		/* Frame #0 of each access at the module offset the text prints. */
		ASSERT_EQ(0, report_at(r.err, rr->cur.addr, rep, sizeof(rep)));
		ASSERT_EQ(0, parse_access(rep, "  ", &cur));
		EXPECT_EQ(cur.off0, rr->cur.stack[0] - base);
		ASSERT_EQ(0, parse_access(rep, "  Previous ", &cur));
		EXPECT_EQ(cur.off0, rr->prev.stack[0] - base);
	}
	EXPECT_EQ(1, nglob);
	EXPECT_EQ(1, nheap);
}

/* The race-free twin: no report, no record. */
TEST(race_free_twin_has_none)
{
	struct run r;

	ASSERT_EQ(0, run(_metadata, "norace", false, &r));
	ASSERT_TRUE(WIFEXITED(r.status));
	EXPECT_EQ(0, WEXITSTATUS(r.status));
	ASSERT_TRUE(r.had_ring);
	EXPECT_EQ(0, count_reports(r.err));
	EXPECT_EQ(0, r.ngot);
	EXPECT_EQ(0, r.st.invalid);
}

/* @s without what changes from run to run (pid, thread and task
 * numbers, addresses): what must stay the same. */
static void normalise(const char *s, char *out, size_t cap)
{
	static const char *const words[] = { "pid=", "thread ", "task ", "Task ", " at 0x" };
	size_t n = 0;

	while (*s && n + 1 < cap) {
		bool skip = false;

		for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
			size_t l = strlen(words[i]);

			if (!strncmp(s, words[i], l) && isxdigit((unsigned char)s[l])) {
				if (n + l + 1 >= cap)
					break;
				memcpy(out + n, words[i], l);
				n += l;
				out[n++] = 'N';
				for (s += l; isxdigit((unsigned char)*s); s++)
					;
				skip = true;
				break;
			}
		}
		if (!skip)
			out[n++] = *s++;
	}
	out[n] = 0;
}

/* MN_RING=0: no ring is published, and the text reports are the same
 * as with the ring (but for pids, thread and task numbers, addresses). */
TEST(ring_off_keeps_the_text)
{
	static char a[16384], b[16384];
	struct run on, off;

	ASSERT_EQ(0, run(_metadata, "race", false, &on));
	ASSERT_EQ(0, run(_metadata, "race", true, &off));
	EXPECT_TRUE(on.had_ring);
	EXPECT_FALSE(off.had_ring);
	EXPECT_EQ(0, off.ngot);
	ASSERT_TRUE(WIFEXITED(off.status));
	EXPECT_EQ(66, WEXITSTATUS(off.status));
	EXPECT_EQ(2, count_reports(off.err));
	normalise(on.err, a, sizeof(a));
	normalise(off.err, b, sizeof(b));
	EXPECT_STREQ(a, b);
}

TEST_HARNESS_MAIN
