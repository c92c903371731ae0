// SPDX-License-Identifier: GPL-2.0-only
/* Vector clock operations (vclock.h). */
#include <string.h>

#include "rt.h"
#include "vclock.h"

static void vc_grow(struct vclock *v, uint32_t n)
{
	if (n <= v->n)
		return;
	if (n > v->cap) {
		uint32_t cap = v->cap ? v->cap : 8;

		while (cap < n)
			cap *= 2;
		v->e = rt_realloc(v->e, cap * sizeof(*v->e));
		v->cap = cap;
	}
	memset(v->e + v->n, 0, (n - v->n) * sizeof(*v->e));
	v->n = n;
}

void vc_set(struct vclock *v, uint32_t slot, uint32_t epoch)
{
	vc_grow(v, slot + 1);
	v->e[slot] = epoch;
}

void vc_join(struct vclock *dst, const struct vclock *src)
{
	vc_grow(dst, src->n);
	for (uint32_t i = 0; i < src->n; i++)
		if (src->e[i] > dst->e[i])
			dst->e[i] = src->e[i];
}

void vc_copy(struct vclock *dst, const struct vclock *src)
{
	vc_grow(dst, src->n);
	memcpy(dst->e, src->e, src->n * sizeof(*src->e));
	memset(dst->e + src->n, 0, (dst->n - src->n) * sizeof(*dst->e));
}

void vc_free(struct vclock *v)
{
	rt_free(v->e);
	v->e = NULL;
	v->n = v->cap = 0;
}
