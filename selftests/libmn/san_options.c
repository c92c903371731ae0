// SPDX-License-Identifier: GPL-2.0-only
/*
 * Linked into the sanitizer builds of the libmn selftests.  A task that
 * overruns its stack must die of SIGSEGV (mn_sched_test checks it), so
 * ASan must not turn that signal into its own report and exit status.
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "handle_segv=0:detect_leaks=0";
}

const char *__tsan_default_options(void);
const char *__tsan_default_options(void)
{
	return "halt_on_error=1";
}
