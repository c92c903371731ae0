// SPDX-License-Identifier: GPL-2.0-only
/* Reserving the shadow and meta windows, resetting ranges (shadow.h). */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "shadow.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

static void reserve(uintptr_t beg, uintptr_t end, const char *what)
{
	void *p = mmap((void *)beg, end - beg, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
		       MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED || p != (void *)beg)
		rt_fatal("cannot reserve the %s at %#lx-%#lx: %s (is the address "
			 "space limited, ulimit -v, or the program mapped there?)",
			 what, (unsigned long)beg, (unsigned long)end,
			 p == MAP_FAILED ? strerror(errno) : "kernel placed it elsewhere");
	/* No core dump of terabytes of zeros. */
	madvise(p, end - beg, MADV_DONTDUMP);
}

void shadow_reserve(void)
{
	reserve(SHADOW_LO, SHADOW_END, "shadow");
	reserve(META_LO, META_END, "meta shadow");
}

uintptr_t app_window_start(uintptr_t a)
{
	uintptr_t off;
	int w;

	if (!app_window(a, &off, &w))
		return a;
	return a - off + (w == 0 ? APP_LO_BEG : 0);
}

/*
 * Zero the cells of [a, a + n).  Whole pages of a large
 * range go back to the kernel (they read as zeros again), so freeing a
 * big block also frees its shadow.
 */
static void zero_span(uintptr_t beg, uintptr_t end)
{
	const uintptr_t pg = 4096;
	uintptr_t pbeg = (beg + pg - 1) & ~(pg - 1), pend = end & ~(pg - 1);

	if (end - beg < 16 * pg || pbeg >= pend) {
		memset((void *)beg, 0, end - beg);
		return;
	}
	memset((void *)beg, 0, pbeg - beg);
	madvise((void *)pbeg, pend - pbeg, MADV_DONTNEED);
	memset((void *)pend, 0, end - pend);
}

void shadow_reset(uintptr_t a, size_t n)
{
	uintptr_t end = a + n, w0 = a & ~7ULL, w1 = (end + 7) & ~7ULL;
	uint64_t *s0, *s1;

	if (!n || !(s0 = shadow_of(w0)) || !(s1 = shadow_of(w1 - 1)))
		return;
	/* A range across two windows is not one mapping: nothing does that. */
	if (s1 < s0)
		return;
	zero_span((uintptr_t)s0, (uintptr_t)(s1 + SHADOW_CELLS));
}

void shadow_reset_resident(uintptr_t a, size_t n)
{
	const uintptr_t pg = 4096;
	uintptr_t w0 = a & ~7ULL, w1 = (a + n + 7) & ~7ULL, beg, end, pbeg;
	unsigned char vec[256];
	uint64_t *s0, *s1;

	if (!n || !(s0 = shadow_of(w0)) || !(s1 = shadow_of(w1 - 1)) || s1 < s0)
		return;
	beg = (uintptr_t)s0;
	end = (uintptr_t)(s1 + SHADOW_CELLS);
	for (pbeg = beg & ~(pg - 1); pbeg < end; pbeg += sizeof(vec) * pg) {
		uintptr_t pend = pbeg + sizeof(vec) * pg < end ? pbeg + sizeof(vec) * pg : end;
		size_t np = (pend - pbeg + pg - 1) / pg;

		if (mincore((void *)pbeg, pend - pbeg, vec)) {
			zero_span(pbeg > beg ? pbeg : beg, pend);
			continue;
		}
		for (size_t i = 0; i < np; i++) {
			uintptr_t lo = pbeg + i * pg, hi = lo + pg;

			if (!(vec[i] & 1))
				continue;
			if (lo < beg)
				lo = beg;
			if (hi > end)
				hi = end;
			memset((void *)lo, 0, hi - lo);
		}
	}
}
