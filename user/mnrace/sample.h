/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Sampling (MNRACE_OPTIONS=sample=P, docs/mnrace.md "Sampling"), in the
 * manner of Pacer (Bond, Coons, McKinley, PLDI 2010): happens-before is
 * tracked always, accesses are checked and recorded only inside sampled
 * windows.  Time is cut into periods, each sampled or not by a seeded
 * hash of its number, for the whole process at once: both accesses of a
 * race made close together fall in one period, so a race is caught with
 * a chance of about P each time it happens, not P squared.
 *
 * A period ends after every sample_period events (function entries and
 * releases) of a thread: that thread takes the next period number and
 * sets the state.  mnr_sample.word holds the state (bit 0) and the
 * number of the period that set it (the rest): a thread that took an
 * older number never overwrites a newer one, so the state in force is
 * always that of the newest period, whatever the threads' timing.
 *
 * Without the option (or with sample=1) bit 0 is set for good and
 * nothing ever changes it.
 */
#ifndef MNRACE_SAMPLE_H
#define MNRACE_SAMPLE_H

#include <stdbool.h>
#include <stdint.h>

#include "rt.h"

/*
 * The state and the period length: read by every access, written once a
 * period.  A cache line of their own (hidden: one rip-relative load, no
 * GOT), or a program global next to them that its threads write (a
 * mutex, a counter) would cost every access a miss.
 */
struct sample_hot {
	uint64_t word;		/* bit 0: sampling now; the rest: its period */
	uint32_t period;	/* events per thread per period */
} __attribute__((aligned(64)));

extern struct sample_hot mnr_sample __attribute__((visibility("hidden")));
extern __thread uint32_t mnr_sample_events __attribute__((visibility("hidden")));

/* Accesses are checked now: the first test of every access. */
static inline bool sample_now(void)
{
	return __atomic_load_n(&mnr_sample.word, __ATOMIC_RELAXED) & 1;
}

void sample_next(void);

/* One event of this thread (a function entry, a release). */
static inline void sample_event(void)
{
	if (unlikely(++mnr_sample_events >= mnr_sample.period)) {
		mnr_sample_events = 0;
		sample_next();
	}
}

/* From the options: the fraction, the seed (0: one from the clock), the
 * events per period. */
void sample_init(double fraction, uint32_t seed, uint32_t period);

#endif
