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

void *rt_alloc(size_t n)
{
	void *p = __libc_calloc(1, n ? n : 1);

	if (!p)
		rt_fatal("out of memory (%zu bytes for the runtime)", n);
	return p;
}

void *rt_realloc(void *p, size_t n)
{
	void *q = __libc_realloc(p, n ? n : 1);

	if (!q)
		rt_fatal("out of memory (%zu bytes for the runtime)", n);
	return q;
}

void rt_free(void *p)
{
	__libc_free(p);
}

void *rt_mmap(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		rt_fatal("cannot map %zu bytes for the runtime", n);
	return p;
}
