// SPDX-License-Identifier: GPL-2.0-only
/*
 * ustack.c and symbolize.c, built with AddressSanitizer: the strings of a
 * record's frames must stay valid until the record is printed, even when
 * the process execs while its frames are being looked up.
 *
 * The process is a child of this test (a fork: same mappings, so this
 * binary's own functions are its frames) that execs /bin/sleep when told.
 * The exec is made to happen in the middle of one record, deterministically:
 * libdwfl opens a module's ELF file only when a frame needs it, through
 * the find_elf callback symbolize.c gives it, dwfl_linux_proc_find_elf;
 * this program defines that function (the executable's definition wins
 * the link), lets the child exec when the libc module is opened, waits
 * until /proc/PID/exe shows the new image, then calls the real one.
 * stat(2) is wrapped too, to count how often /proc/PID/exe is looked at.
 */
#include <dlfcn.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "sym/ustack.h"

static pid_t child;
static int go_fd = -1;		/* a byte here: the child execs */
static char child_exe[64];	/* /proc/CHILD/exe */
static int exe_looks;		/* stat() calls on child_exe */

/* Frames of the record: two functions of this binary. */
__attribute__((noinline)) int ustack_frame_inner(volatile int *x)
{
	for (int i = 0; i < 8; i++)
		*x += i * *x;
	return *x;
}

__attribute__((noinline)) int ustack_frame_outer(volatile int *x)
{
	for (int i = 0; i < 8; i++)
		*x ^= ustack_frame_inner(x) + i;
	return *x;
}

/* The real stat, by system call, for the wrapper and for waiting. */
static int real_stat(const char *path, struct stat *st)
{
	return syscall(SYS_newfstatat, AT_FDCWD, path, st, 0);
}

int stat(const char *path, struct stat *st)
{
	if (child_exe[0] && !strcmp(path, child_exe))
		exe_looks++;
	return real_stat(path, st);
}

/* Let the child exec, and wait until its exe is another file. */
static void child_exec_now(void)
{
	struct stat before, now;

	if (go_fd < 0 || real_stat("/proc/self/exe", &before))
		return;
	if (write(go_fd, "x", 1) != 1)
		return;
	close(go_fd);
	go_fd = -1;
	while (!real_stat(child_exe, &now) && now.st_ino == before.st_ino &&
	       now.st_dev == before.st_dev)
		usleep(1000);
}

int dwfl_linux_proc_find_elf(Dwfl_Module *mod, void **userdata,
			     const char *name, Dwarf_Addr base,
			     char **file_name, Elf **elfp)
{
	static int (*real)(Dwfl_Module *, void **, const char *, Dwarf_Addr,
			   char **, Elf **);

	if (!real)
		real = dlsym(RTLD_NEXT, "dwfl_linux_proc_find_elf");
	if (name && strstr(name, "/libc.so"))
		child_exec_now();
	return real(mod, userdata, name, base, file_name, elfp);
}

/* A fork of this test that waits, then execs /bin/sleep. */
static void spawn_child(struct __test_metadata *_metadata)
{
	int fds[2];
	char c;

	ASSERT_EQ(0, pipe(fds));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		/* Killed with the test, even when ASan aborts it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(fds[1]);
		if (read(fds[0], &c, 1) == 1)
			execl("/bin/sleep", "sleep", "1000", (char *)NULL);
		_exit(0);
	}
	close(fds[0]);
	go_fd = fds[1];
	snprintf(child_exe, sizeof(child_exe), "/proc/%d/exe", child);
}

static void reap_child(void)
{
	if (go_fd >= 0)
		close(go_fd);
	go_fd = -1;
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	child_exe[0] = 0;
}

/* A record of the child whose stack is inner, a libc return, outer. */
static void make_record(struct nstaint_event *e)
{
	memset(e, 0, sizeof(*e));
	e->version = NSTAINT_ABI_VERSION;
	e->type = NSTAINT_EV_THREAD_TAINTED;
	e->size = sizeof(*e);
	e->pid = e->tid = child;
	e->cause = NSTAINT_CAUSE_UNSHARE;
	e->stack_depth = 3;
	e->ustack[0] = (uintptr_t)ustack_frame_inner + 4;
	e->ustack[1] = (uintptr_t)dlsym(RTLD_DEFAULT, "getpid") + 4;
	e->ustack[2] = (uintptr_t)ustack_frame_outer + 8;
}

/* The record as `nstaint trace` prints it (free it). */
static char *print_text(const struct nstaint_event *e)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct ustack u;

	if (!f)
		return NULL;
	ustack_resolve(e, false, NULL, &u);
	ustack_print_text(f, e, &u);
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

/*
 * The child execs between the record's first frame and its last: the
 * three frames still name what the record was made in (this binary's two
 * functions, libc), with no use of freed memory (ASan aborts the test),
 * and /proc/PID/exe was looked at once for the record, not once a frame.
 */
TEST(exec_during_one_record)
{
	struct nstaint_event e;
	char *text;

	spawn_child(_metadata);
	make_record(&e);
	exe_looks = 0;
	text = print_text(&e);
	ASSERT_NE(NULL, text);
	EXPECT_EQ(-1, go_fd) TH_LOG("the libc module was never opened");
	EXPECT_NE(NULL, strstr(text, "#0  0x")) TH_LOG("%s", text);
	EXPECT_NE(NULL, strstr(text, " ustack_frame_inner+0x4 ")) TH_LOG("%s", text);
	EXPECT_NE(NULL, strstr(text, "(libc.so.6)")) TH_LOG("%s", text);
	EXPECT_NE(NULL, strstr(text, " ustack_frame_outer+0x8 ")) TH_LOG("%s", text);
	EXPECT_EQ(1, exe_looks);
	free(text);
	reap_child();
}

/*
 * The next record of that process, after its exec: the cached symbols
 * are another program's now, so they are read again from the new image
 * (sleep has no ustack_frame_* functions).
 */
TEST(exec_between_records)
{
	struct nstaint_event e;
	char *text;

	spawn_child(_metadata);
	make_record(&e);
	free(print_text(&e));
	EXPECT_EQ(-1, go_fd) TH_LOG("the child did not exec");
	text = print_text(&e);
	ASSERT_NE(NULL, text);
	EXPECT_EQ(NULL, strstr(text, "ustack_frame_inner")) TH_LOG("%s", text);
	free(text);
	reap_child();
}

TEST_HARNESS_MAIN
