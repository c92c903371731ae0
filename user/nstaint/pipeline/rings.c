// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "pipeline/rings.h"
#include "source/snapshot.h"
#include "sym/symbolize.h"

/* Messages about rings that could not be read, at most (then counted). */
#define RINGS_SAY_MAX	16

static void say(struct rings *rs, pid_t pid, const char *what, const char *why)
{
	if (rs->said++ < RINGS_SAY_MAX)
		fprintf(stderr, "nstaint %s: pid %d: report ring %s: %s%s\n",
			rs->cmd, pid, what, why,
			rs->said == RINGS_SAY_MAX ? " (no more such messages)" : "");
}

void rings_open(struct rings *rs, pid_t pid, int fd, struct rep_counts *c)
{
	struct ring_slot *s;
	char why[128], path[64];
	int err;

	for (size_t i = 0; i < rs->n; i++)
		if (rs->slot[i].pid == pid)
			return;		/* announced twice (probe, registry) */
	if (!rs->slot)
		rs->slot = calloc(RINGS_MAX, sizeof(*rs->slot));
	if (!rs->slot || rs->n == RINGS_MAX) {
		c->refused++;
		say(rs, pid, "not opened", rs->slot ? "too many rings open" :
		    "out of memory");
		return;
	}
	s = &rs->slot[rs->n];
	memset(s, 0, sizeof(*s));
	/* First: a pid reused after it is closed is not this process. */
	s->pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (s->pidfd < 0) {
		c->refused++;
		say(rs, pid, "not opened", "process gone");
		return;
	}
	err = mnring_open(&s->r, pid, fd, why, sizeof(why));
	if (err) {
		close(s->pidfd);
		c->refused++;
		say(rs, pid, "not opened", why);
		return;
	}
	/* A process may make its ring as large as the ABI allows (40 MiB):
	 * the address space the rings take is bounded too. */
	if (rs->bytes + s->r.size > RINGS_BYTES_MAX) {
		mnring_close(&s->r);
		close(s->pidfd);
		c->refused++;
		say(rs, pid, "not opened", "the open rings' size limit reached");
		return;
	}
	rs->bytes += s->r.size;
	s->pid = pid;
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	snapshot_read_comm(AT_FDCWD, path, s->comm);
	c->opened++;
	rs->n++;
}

struct poll_ctx {
	rings_fn fn;
	void *ctx;
	const struct ring_slot *s;
	int err;
};

static void each(void *p, const struct mn_ring_rec *rec)
{
	struct poll_ctx *pc = p;

	/* After a sink's error the pipeline stops: nothing more is shown. */
	if (!pc->err)
		pc->err = pc->fn(pc->ctx, pc->s, rec);
}

/* Read @s; its writers' drops, invalid records, its end into @c. */
static int poll_one(struct rings *rs, struct ring_slot *s, __u64 before_ns,
		    rings_fn fn, void *ctx, struct rep_counts *c)
{
	struct poll_ctx pc = { fn, ctx, s, 0 };

	if (s->broken_seen)
		return 0;
	mnring_poll_before(&s->r, each, &pc, RINGS_BATCH, before_ns);
	c->lost += s->r.st.lost - s->lost_seen;
	c->invalid += s->r.st.invalid - s->invalid_seen;
	s->lost_seen = s->r.st.lost;
	s->invalid_seen = s->r.st.invalid;
	if (s->r.broken) {
		s->broken_seen = true;
		c->broken++;
		say(rs, s->pid, "given up", s->r.broken);
	}
	return pc.err;
}

/* Read @s to its end (bounded: a writer still writing is cut off), then
 * close it and move the last slot into its place. */
static int finish(struct rings *rs, size_t i, rings_fn fn, void *ctx,
		  struct rep_counts *c)
{
	struct ring_slot *s = &rs->slot[i];
	int err = 0;

	for (unsigned int pass = 0; !err && pass < MN_RING_NREC_MAX / RINGS_BATCH &&
	     !s->broken_seen; pass++) {
		unsigned long long before = s->r.next;

		err = poll_one(rs, s, ~0ULL, fn, ctx, c);
		if (s->r.next == before)
			break;
	}
	rs->bytes -= s->r.size;
	mnring_close(&s->r);
	close(s->pidfd);
	/* Gone: its symbols (an open file, a Dwfl) are of no more use. */
	if (s->dead)
		sym_forget(s->pid);
	rs->slot[i] = rs->slot[--rs->n];
	return err;
}

/* Which processes are gone (their pidfd readable): one poll(2) for all. */
void rings_mark(struct rings *rs)
{
	struct pollfd p[RINGS_MAX];
	size_t i;

	for (i = 0; i < rs->n; i++)
		p[i] = (struct pollfd){ .fd = rs->slot[i].pidfd, .events = POLLIN };
	if (poll(p, rs->n, 0) < 0)
		return;		/* none marked: looked at next round */
	for (i = 0; i < rs->n; i++)
		rs->slot[i].dead = p[i].revents != 0;
}

int rings_poll(struct rings *rs, __u64 before_ns, rings_fn fn, void *ctx,
	       struct rep_counts *c)
{
	int err = 0;

	for (size_t i = 0; !err && i < rs->n;) {
		if (rs->slot[i].dead) {
			err = finish(rs, i, fn, ctx, c);
			continue;
		}
		err = poll_one(rs, &rs->slot[i], before_ns, fn, ctx, c);
		i++;
	}
	return err;
}

int rings_exec(struct rings *rs, pid_t pid, rings_fn fn, void *ctx,
	       struct rep_counts *c)
{
	for (size_t i = 0; i < rs->n; i++)
		if (rs->slot[i].pid == pid)
			return finish(rs, i, fn, ctx, c) ?: 1;
	return 0;
}

bool rings_any(const struct rings *rs)
{
	return rs->n > 0;
}

int rings_close(struct rings *rs, rings_fn fn, void *ctx, struct rep_counts *c)
{
	int err = 0, e;

	while (rs->n) {
		e = finish(rs, rs->n - 1, fn, ctx, c);
		err = err ?: e;
	}
	free(rs->slot);
	rs->slot = NULL;
	return err;
}
