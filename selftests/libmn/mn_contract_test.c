// SPDX-License-Identifier: GPL-2.0-only
/*
 * libmn's contract checks (mn_check, user/libmn/internal.h): runtime code
 * that breaks a "must hold" contract stops the process with a fatal
 * error at the faulty call instead of corrupting the scheduler.  Each
 * child calls the runtime's internal helpers directly, first as the
 * contract says (it must go on), then breaking it (it must stop there:
 * exit status 2 and nothing printed after the call).
 */
#include "kselftest_harness.h"
#include "mn_testlib.h"
#include "../../user/libmn/internal.h"

/* Run fn in a child: it must print @before, then die of the fatal error
 * @fatal at the faulty call, before printing "went on". */
static void expect_fatal(struct __test_metadata *_metadata, void (*fn)(void),
			 const char *before, const char *fatal)
{
	char out[4096], want[512];
	int st = mnt_run_child(fn, out, sizeof(out), 0, 0);

	snprintf(want, sizeof(want), "%s\nfatal error: %s", before, fatal);
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(2, WEXITSTATUS(st));
	EXPECT_NE(NULL, strstr(out, want));
	EXPECT_EQ(NULL, strstr(out, "went on"));
}

static uint32_t lock_word;

static void unlock_twice(void)
{
	mn_lk_lock(&lock_word);
	mn_lk_unlock(&lock_word);
	fputs("pair ok\n", stderr);
	mn_lk_unlock(&lock_word);
	fputs("went on\n", stderr);
}

/* Unlocking a runtime lock nobody holds is fatal; lock then unlock is not. */
TEST(unlock_of_unlocked_lock_is_fatal)
{
	expect_fatal(_metadata, unlock_twice, "pair ok", "unlock of an unlocked runtime lock");
}

static void pidleget_unlocked(void)
{
	mn_lk_lock(&mn_sched.lock);
	(void)pidleget();
	mn_lk_unlock(&mn_sched.lock);
	fputs("locked ok\n", stderr);
	(void)pidleget();
	fputs("went on\n", stderr);
}

/* Taking from the idle P list without sched.lock is fatal; with it, not. */
TEST(pidle_list_needs_sched_lock)
{
	expect_fatal(_metadata, pidleget_unlocked, "locked ok", "pidleget: sched.lock not held");
}

static struct mn_m m1 = { .id = 1 }, m2 = { .id = 2 };
static struct mn_p p0 = { .id = 0 };

static void acquire_held_p(void)
{
	acquirep(&m1, &p0);
	fputs("first ok\n", stderr);
	acquirep(&m2, &p0);
	fputs("went on\n", stderr);
}

/* A second M acquiring a P that an M holds is fatal; the first is not. */
TEST(acquirep_of_a_held_p_is_fatal)
{
	expect_fatal(_metadata, acquire_held_p, "first ok", "acquirep: M 2 holds P -1, P 0 held by M 1");
}

TEST_HARNESS_MAIN
