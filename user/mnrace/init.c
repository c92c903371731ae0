// SPDX-License-Identifier: GPL-2.0-only
/*
 * __tsan_init: every instrumented translation unit's constructor calls
 * it, and the interposed malloc may call it earlier (glibc allocates
 * before constructors run), so it runs once and is cheap after.  At exit
 * the runtime prints how many warnings it reported and, if any, exits
 * with the exitcode option (66), as TSan does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "depot.h"
#include "fork.h"
#include "heap.h"
#include "init.h"
#include "instr.h"
#include "options.h"
#include "real.h"
#include "report.h"
#include "sample.h"
#include "shadow.h"
#include "slot.h"
#include "suppress.h"
#include "sync.h"
#include "task.h"
#include "trace.h"

int mnr_state;

static void finish(void)
{
	unsigned n = report_count();

	if (!n)
		return;
	report_note("reported %u warnings\n", n);
	/* exit() flushes stdio only after the atexit handlers: now or never. */
	fflush(NULL);
	_exit(mnr_opt.exitcode);
}

static void init(void)
{
	mnr_in_rt++;
	options_parse(getenv("MNRACE_OPTIONS"));
	sample_init(mnr_opt.sample, mnr_opt.sample_seed, mnr_opt.sample_period);
	trace_configure(mnr_opt.history_size);
	shadow_reserve();
	report_init();		/* first: its lock is the outermost */
	slot_init();
	depot_init();
	sync_init();
	heap_init();
	task_init();
	instr_init();
	real_init();
	pthread_wrappers_init();
	fork_init();
	suppress_load(mnr_opt.suppressions);
	mnr_in_rt--;
	/* The thread that brings the runtime up is the main task, id 1. */
	task_adopt();
	__atomic_store_n(&mnr_state, 2, __ATOMIC_RELEASE);
	atexit(finish);
}

void mnr_init_early(void)
{
	int zero = 0;

	if (likely(mnr_ready()))
		return;
	if (__atomic_compare_exchange_n(&mnr_state, &zero, 1, false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		init();
}

MNR_EXPORT void __tsan_init(void)
{
	mnr_init_early();
}
