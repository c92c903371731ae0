// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sampling windows (sample.h).  Period p is sampled when the hash of
 * (seed, p) falls under the threshold, fraction * 2^64: a fixed seed
 * gives the same sampled period numbers in every run.
 */
#include <time.h>
#include <unistd.h>

#include "sample.h"

/* Sampling, set by period 0; no period ends (sample_init may change both). */
struct sample_hot mnr_sample = { .word = 1, .period = UINT32_MAX };
__thread uint32_t mnr_sample_events;

static bool all = true;
static uint64_t seed, threshold;
static uint64_t period;			/* the last number taken */

/* splitmix64's finaliser: every bit of @x moves every bit out. */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static bool sampled(uint64_t p)
{
	return mix(seed ^ mix(p)) < threshold;
}

void sample_next(void)
{
	uint64_t p, w;

	if (all)
		return;
	p = __atomic_add_fetch(&period, 1, __ATOMIC_RELAXED);
	w = __atomic_load_n(&mnr_sample.word, __ATOMIC_RELAXED);
	do {
		if (w >> 1 >= p)
			return;	/* a newer period is in force already */
	} while (!__atomic_compare_exchange_n(&mnr_sample.word, &w, p << 1 | sampled(p),
					      true, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
}

void sample_init(double fraction, uint32_t s, uint32_t events)
{
	struct timespec ts;

	if (fraction >= 1)
		return;		/* everything, always: bit 0 stays set */
	all = false;
	if (!s) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		s = (uint32_t)(ts.tv_nsec ^ ts.tv_sec ^ (uint64_t)getpid() << 16);
	}
	seed = mix(s);
	threshold = (uint64_t)(fraction * 18446744073709551616.0);
	mnr_sample.period = events;
	__atomic_store_n(&mnr_sample.word, (uint64_t)sampled(0), __ATOMIC_RELAXED);
}
