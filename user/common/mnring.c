// SPDX-License-Identifier: GPL-2.0-only
/*
 * Report ring, writing side: the protocol is in include/nstaint/mn_ring.h.
 * The memfd is sealed against shrinking before anyone can see it, so a
 * reader that checked its size once never faults on it.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#include "common/mnring.h"
#include "common/monotime.h"

_Static_assert(sizeof(struct mn_ring_hdr) <= MN_RING_HDR_SIZE,
	       "the header fits its page");
_Static_assert(sizeof(struct mn_ring_rec) % 64 == 0,
	       "records fill whole cache lines");

int mn_ring_create(struct mn_ring *r, unsigned int nrec)
{
	size_t size = MN_RING_HDR_SIZE + (size_t)nrec * sizeof(*r->rec);
	void *p;
	int fd, err;

	if (nrec < MN_RING_NREC_MIN || nrec > MN_RING_NREC_MAX ||
	    (nrec & (nrec - 1)))
		return -EINVAL;
	fd = memfd_create("mn-ring", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, size) ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL))
		goto close_fd;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		goto close_fd;
	r->hdr = p;
	r->rec = (struct mn_ring_rec *)((char *)p + MN_RING_HDR_SIZE);
	r->size = size;
	r->fd = fd;
	for (unsigned int i = 0; i < nrec; i++)
		r->rec[i].seq = i;
	r->hdr->hdr_size = MN_RING_HDR_SIZE;
	r->hdr->rec_size = sizeof(*r->rec);
	r->hdr->nrec = nrec;
	r->hdr->pid = getpid();
	r->hdr->version = MN_RING_VERSION;
	/* Last: a reader that sees the magic sees the rest. */
	__atomic_store_n(&r->hdr->magic, MN_RING_MAGIC, __ATOMIC_RELEASE);
	return 0;
close_fd:
	err = -errno;
	close(fd);
	return err;
}

int mn_ring_put(struct mn_ring *r, const struct mn_ring_rec *rec)
{
	__u64 mask = r->hdr->nrec - 1, p, seq;
	struct mn_ring_rec *slot;

	p = __atomic_load_n(&r->hdr->head, __ATOMIC_RELAXED);
	for (;;) {
		slot = &r->rec[p & mask];
		seq = __atomic_load_n(&slot->seq, __ATOMIC_ACQUIRE);
		if (seq == p) {
			if (__atomic_compare_exchange_n(&r->hdr->head, &p, p + 1,
							true, __ATOMIC_RELAXED,
							__ATOMIC_RELAXED))
				break;
			/* @p is the head now: try it. */
		} else if ((__s64)(seq - p) < 0) {
			/* Still holds index p - nrec, unread: full. */
			__atomic_fetch_add(&r->hdr->lost, 1, __ATOMIC_RELAXED);
			return -ENOSPC;
		} else {
			/* Another writer took p. */
			p = __atomic_load_n(&r->hdr->head, __ATOMIC_RELAXED);
		}
	}
	memcpy((char *)slot + sizeof(slot->seq), (const char *)rec + sizeof(rec->seq),
	       sizeof(*rec) - sizeof(rec->seq));
	if (!slot->time_ns)
		slot->time_ns = mono_ns();	/* the vDSO: no system call */
	__atomic_store_n(&slot->seq, p + 1, __ATOMIC_RELEASE);
	return 0;
}

void mn_ring_destroy(struct mn_ring *r)
{
	if (!r->hdr)
		return;
	munmap(r->hdr, r->size);
	close(r->fd);
	r->hdr = NULL;
	r->rec = NULL;
}
