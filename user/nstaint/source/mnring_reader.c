// SPDX-License-Identifier: GPL-2.0-only
/*
 * Report ring, reading side: the protocol is in include/nstaint/mn_ring.h,
 * the threat in mnring_reader.h.  What the process can do to us, and why
 * it does not hurt:
 *  - hand us an fd that is no memfd (a FIFO, a device, a socket): the fd
 *    is opened O_PATH first, which opens nothing, and reopened only if it
 *    is a regular file that can be sealed (shmem);
 *  - shrink the file under our mapping (SIGBUS): F_SEAL_SHRINK must be
 *    set before we map it, and seals never come off;
 *  - change a record while we read it: we copy it first and check only
 *    the copy;
 *  - lie in the header, the indices or the sequence numbers: the header
 *    is checked against the file's real size once, our read index is our
 *    own, and a sequence number that fits no state of the protocol ends
 *    the ring.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "source/mnring_reader.h"

/* Say @msg in @why, with errno's text after it unless @err is EPROTO. */
static int fail(char *why, size_t len, int err, const char *msg)
{
	if (err == -EPROTO)
		snprintf(why, len, "%s", msg);
	else
		snprintf(why, len, "%s: %s", msg, strerror(-err));
	return err;
}

/* Someone else, alive, reads it. */
static bool other_reader(__u32 pid)
{
	return pid && pid != (__u32)getpid() &&
	       (!kill(pid, 0) || errno == EPERM);
}

static int claim(struct mnring_reader *r, char *why, size_t len)
{
	__u32 me = getpid(), cur = __atomic_load_n(&r->hdr->reader,
						   __ATOMIC_RELAXED);

	do {
		if (other_reader(cur)) {
			snprintf(why, len, "read by pid %u already", cur);
			return -EBUSY;
		}
	} while (!__atomic_compare_exchange_n(&r->hdr->reader, &cur, me, false,
					      __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
	r->claimed = true;
	return 0;
}

int mnring_attach(struct mnring_reader *r, void *base, size_t size,
		  pid_t pid, bool do_claim, char *why, size_t whylen)
{
	struct mn_ring_hdr h;
	unsigned int i;
	__u64 seq;

	memset(r, 0, sizeof(*r));
	if (size < MN_RING_HDR_SIZE)
		return fail(why, whylen, -EPROTO, "file smaller than a ring header");
	memcpy(&h, base, sizeof(h));
	if (h.magic != MN_RING_MAGIC)
		return fail(why, whylen, -EPROTO, "no ring magic");
	if (h.version != MN_RING_VERSION || h.hdr_size != MN_RING_HDR_SIZE ||
	    h.rec_size != sizeof(struct mn_ring_rec))
		return fail(why, whylen, -EPROTO, "ring version or layout unknown");
	if (h.nrec < MN_RING_NREC_MIN || h.nrec > MN_RING_NREC_MAX ||
	    (h.nrec & (h.nrec - 1)) ||
	    size != MN_RING_HDR_SIZE + (size_t)h.nrec * sizeof(struct mn_ring_rec))
		return fail(why, whylen, -EPROTO, "ring size does not match its header");
	r->hdr = base;
	r->rec = (struct mn_ring_rec *)((char *)base + MN_RING_HDR_SIZE);
	r->size = size;
	r->nrec = h.nrec;
	r->pid = pid;
	r->next = h.tail;
	/* Drops before we came: ours to report if nobody ever read the ring
	 * (its tail is 0: a flood at start is not lost silently), another
	 * reader's if one read before us. */
	r->lost_seen = h.tail ? h.lost : 0;
	if (do_claim && claim(r, why, whylen))
		return -EBUSY;
	/* A reader that stopped between freeing a slot and moving the tail
	 * left slots read but not passed: skip them. */
	for (i = 0; i < r->nrec; i++) {
		seq = __atomic_load_n(&r->rec[r->next & (r->nrec - 1)].seq,
				      __ATOMIC_ACQUIRE);
		if (seq != r->next + r->nrec)
			break;
		r->next++;
	}
	return 0;
}

static bool terminated(char *s, size_t len)
{
	bool had = memchr(s, 0, len) != NULL;

	s[len - 1] = 0;
	return had;
}

static bool stack_ok(__u32 depth)
{
	return depth <= MN_RING_STACK;
}

static bool access_ok(const struct mn_ring_access *a)
{
	/* An earlier access whose history was lost has no known thread. */
	return a->size && (a->tid || (a->flags & MN_RING_ACC_NO_STACK)) &&
	       !(a->flags & ~MN_RING_ACC_FLAGS) &&
	       stack_ok(a->depth);
}

int mnring_check(struct mn_ring_rec *c, pid_t pid)
{
	if (c->pid != (__u32)pid || !c->tid || c->flags)
		return -EINVAL;
	switch (c->kind) {
	case MN_RING_DATA_RACE:
		if (!access_ok(&c->race.cur) || !access_ok(&c->race.prev) ||
		    !((c->race.cur.flags | c->race.prev.flags) & MN_RING_ACC_WRITE) ||
		    c->race.loc_kind >= MN_RING_LOC_COUNT ||
		    !stack_ok(c->race.loc_depth))
			return -EINVAL;
		return 0;
	case MN_RING_RUNTIME_ERROR:
		if (c->error.code >= MN_RING_ERR_COUNT ||
		    !stack_ok(c->error.depth) ||
		    !terminated(c->error.msg, sizeof(c->error.msg)))
			return -EINVAL;
		return 0;
	case MN_RING_TASK_LEAK:
	case MN_RING_CTX_LEAK:
		if (!stack_ok(c->leak.depth) ||
		    !terminated(c->leak.msg, sizeof(c->leak.msg)))
			return -EINVAL;
		return 0;
	case MN_RING_THREAD_RETIRED:
		if (!c->retired.thread || (c->retired.ns_mask & ~NSTAINT_NS_ALL))
			return -EINVAL;
		return 0;
	default:
		return -EINVAL;
	}
}

static int broken(struct mnring_reader *r, const char *why)
{
	r->broken = why;
	return -EPROTO;
}

static __u64 now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ULL + t.tv_nsec;
}

int mnring_poll(struct mnring_reader *r, mnring_fn fn, void *ctx,
		unsigned int max)
{
	return mnring_poll_before(r, fn, ctx, max, ~0ULL);
}

int mnring_poll_before(struct mnring_reader *r, mnring_fn fn, void *ctx,
		       unsigned int max, __u64 before_ns)
{
	struct mn_ring_rec copy, *slot;
	unsigned int n = 0;
	__u64 seq, lost;

	if (r->broken)
		return -EPROTO;
	lost = __atomic_load_n(&r->hdr->lost, __ATOMIC_RELAXED);
	/* The writers only add: a count that goes back is a lie. */
	if (lost < r->lost_seen)
		return broken(r, "its lost count went back");
	r->st.lost += lost - r->lost_seen;
	r->lost_seen = lost;
	while (n < max) {
		slot = &r->rec[r->next & (r->nrec - 1)];
		seq = __atomic_load_n(&slot->seq, __ATOMIC_ACQUIRE);
		if (seq == r->next)
			break;		/* not written yet */
		if (seq != r->next + 1) {
			/* What was read before stays read: said next time. */
			broken(r, "a sequence number out of order");
			return n ? (int)n : -EPROTO;
		}
		memcpy(&copy, slot, sizeof(copy));
		/* Made at or after @before_ns: left for a later call, unless
		 * its time is still to come (a lie: read, then found invalid;
		 * it would hold the ring up for ever). */
		if (copy.time_ns >= before_ns && copy.time_ns <= now_ns())
			break;
		if (copy.time_ns >= before_ns)
			copy.kind = MN_RING_NONE;
		__atomic_store_n(&slot->seq, r->next + r->nrec, __ATOMIC_RELEASE);
		r->next++;
		n++;
		if (mnring_check(&copy, r->pid)) {
			r->st.invalid++;
		} else {
			r->st.delivered++;
			fn(ctx, &copy);
		}
		/* Moved once @fn is done with it: a writer lingering at exit
		 * for tail == head (libmn) keeps its process, and so its
		 * symbols, until its records are decoded. */
		__atomic_store_n(&r->hdr->tail, r->next, __ATOMIC_RELEASE);
	}
	return n;
}

int mnring_open(struct mnring_reader *r, pid_t pid, int fd, char *why,
		size_t whylen)
{
	char path[64];
	struct stat st;
	int pfd, rfd, seals, err;
	void *p;

	memset(r, 0, sizeof(*r));
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, fd);
	pfd = open(path, O_PATH | O_CLOEXEC);
	if (pfd < 0) {
		err = -errno;
		return fail(why, whylen, err, "cannot open its ring");
	}
	if (fstat(pfd, &st) || !S_ISREG(st.st_mode)) {
		close(pfd);
		return fail(why, whylen, -EPROTO, "its ring fd is no regular file");
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", pfd);
	rfd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	err = -errno;
	close(pfd);
	if (rfd < 0)
		return fail(why, whylen, err, "cannot open its ring");
	seals = fcntl(rfd, F_GET_SEALS);
	if (seals < 0 || !(seals & F_SEAL_SHRINK) || fstat(rfd, &st)) {
		close(rfd);
		return fail(why, whylen, -EPROTO, "its ring is not sealed against shrinking");
	}
	/* Never map more than the largest ring, whatever the file says. */
	if (st.st_size < MN_RING_HDR_SIZE || (size_t)st.st_size > MN_RING_HDR_SIZE +
	    (size_t)MN_RING_NREC_MAX * sizeof(struct mn_ring_rec)) {
		close(rfd);
		return fail(why, whylen, -EPROTO, "its ring file has no ring's size");
	}
	p = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, rfd, 0);
	err = -errno;
	close(rfd);
	if (p == MAP_FAILED)
		return fail(why, whylen, err, "cannot map its ring");
	err = mnring_attach(r, p, st.st_size, pid, true, why, whylen);
	if (err) {
		munmap(p, st.st_size);
		return err;
	}
	r->mapped = true;
	return 0;
}

void mnring_close(struct mnring_reader *r)
{
	__u32 me = getpid();

	if (!r->hdr)
		return;
	if (r->claimed)
		__atomic_compare_exchange_n(&r->hdr->reader, &me, 0, false,
					    __ATOMIC_RELEASE, __ATOMIC_RELAXED);
	if (r->mapped)
		munmap(r->hdr, r->size);
	r->hdr = NULL;
}
