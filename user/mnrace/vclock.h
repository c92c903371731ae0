/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Vector clocks over slots.  A clock holds, for each slot, the last epoch
 * of that slot known to happen before its owner's present.  Its length
 * grows to the highest slot it has heard of; missing entries are 0.
 */
#ifndef MNRACE_VCLOCK_H
#define MNRACE_VCLOCK_H

#include <stdint.h>

struct vclock {
	uint32_t *e;
	uint32_t n;	/* entries in use */
	uint32_t cap;
};

static inline uint32_t vc_get(const struct vclock *v, uint32_t slot)
{
	return slot < v->n ? v->e[slot] : 0;
}

void vc_set(struct vclock *v, uint32_t slot, uint32_t epoch);
/* dst = max(dst, src), entry by entry (acquire; release into a sync object). */
void vc_join(struct vclock *dst, const struct vclock *src);
/* dst = src (a release that overwrites: an atomic store). */
void vc_copy(struct vclock *dst, const struct vclock *src);
void vc_free(struct vclock *v);

#endif
