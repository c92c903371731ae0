// SPDX-License-Identifier: GPL-2.0-only
/* The runtime's own memory and its fatal-error exit (rt.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "rt.h"

void rt_fatal(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n = snprintf(buf, sizeof(buf), "mnrace: ");

	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(2, buf, n) < 0)
		_exit(1);
	_exit(1);
}

/*
 * The runtime's allocator: size classes carved from mappings of its own,
 * each with a free list, one lock.  Not glibc's malloc: that would put
 * the runtime's records (a task, a clock) among the program's heap
 * blocks, and every page of the program's heap has four pages of shadow
 * (shadow.h) once a block on it was malloc'ed or freed, so the runtime's
 * memory would cost five times its size.  A block starts with a 16-byte
 * header (its class; the length of a direct mapping), which keeps
 * payloads 16-byte aligned; a request above the largest class is a
 * mapping of its own, unmapped when freed.
 */
#define RT_HDR		16
#define RT_CHUNK	(1u << 20)
#define RT_DIRECT	0xff

/*
 * Block sizes, header included: two classes per power of two, and a
 * power of two plus the header up to 4 KiB: a clock's entries grow by
 * doubling (vclock.c), and 256 of them (1 KiB) would waste a third of a
 * 1536-byte block, in every task and sync object.
 */
static const uint32_t class_size[] = {
	32, 48, 64, 80, 96, 128, 144, 192, 256, 272, 384, 512, 528, 768, 1024,
	1040, 1536, 2048, 2064, 3072, 4096, 4112, 6144, 8192, 12288, 16384,
	24576, 32768, 49152, 65536,
};
#define NCLASSES (sizeof(class_size) / sizeof(class_size[0]))

struct rt_hdr {
	uint64_t cls;		/* index into class_size, RT_DIRECT: mapped */
	uint64_t len;		/* a mapping's length */
};

static void *free_list[NCLASSES];
static char *carve_at, *carve_end;
static spin_t rt_lock;

void rt_mem_fork_lock(void)
{
	spin_lock(&rt_lock);
}

void rt_mem_fork_unlock(void)
{
	spin_unlock(&rt_lock);
}

static unsigned class_of(size_t total)
{
	unsigned c = 0;

	while (class_size[c] < total)
		c++;
	return c;
}

static struct rt_hdr *block_get(unsigned c)
{
	struct rt_hdr *h;
	uint32_t sz = class_size[c];

	spin_lock(&rt_lock);
	h = free_list[c];
	if (h) {
		free_list[c] = *(void **)h;
	} else {
		if ((size_t)(carve_end - carve_at) < sz) {
			/* The tail of the old chunk is lost: at most one block. */
			carve_at = rt_mmap(RT_CHUNK);
			carve_end = carve_at + RT_CHUNK;
		}
		h = (struct rt_hdr *)carve_at;
		carve_at += sz;
	}
	spin_unlock(&rt_lock);
	h->cls = c;
	return h;
}

void *rt_alloc(size_t n)
{
	size_t total = n + RT_HDR;
	struct rt_hdr *h;

	if (total > class_size[NCLASSES - 1]) {
		total = (total + 4095) & ~(size_t)4095;
		h = rt_mmap(total);
		h->cls = RT_DIRECT;
		h->len = total;
		return h + 1;	/* fresh pages: zero */
	}
	h = block_get(class_of(total));
	memset(h + 1, 0, class_size[h->cls] - RT_HDR);
	return h + 1;
}

static size_t usable(const struct rt_hdr *h)
{
	return (h->cls == RT_DIRECT ? h->len : class_size[h->cls]) - RT_HDR;
}

void *rt_realloc(void *p, size_t n)
{
	void *q;

	if (!p)
		return rt_alloc(n);
	if (n <= usable((struct rt_hdr *)p - 1))
		return p;
	q = rt_alloc(n);
	memcpy(q, p, usable((struct rt_hdr *)p - 1));
	rt_free(p);
	return q;
}

void rt_free(void *p)
{
	struct rt_hdr *h = (struct rt_hdr *)p - 1;
	unsigned c;

	if (!p)
		return;
	if (h->cls == RT_DIRECT) {
		munmap(h, h->len);
		return;
	}
	c = h->cls;	/* the link goes over it */
	spin_lock(&rt_lock);
	*(void **)h = free_list[c];
	free_list[c] = h;
	spin_unlock(&rt_lock);
}

void *rt_mmap(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		rt_fatal("cannot map %zu bytes for the runtime", n);
	return p;
}
