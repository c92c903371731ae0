// SPDX-License-Identifier: GPL-2.0-only
/*
 * libmn: a process that may run libmn (at start, at exec, at its first
 * taint): tell sched_switch where each of its threads publishes its
 * running task (mnslots map, from the registry: attr/mnattr.c), and
 * attach libmn:thread_start in its file for threads started later.  The
 * probe goes first, then the registry is read: a thread started in
 * between is in the registry, one started after fires the probe.
 *
 * Report rings the same way: libmn:ring_ready attached in the same file
 * (its program hands the ring's fd on at once, bpf_ring.c), then the
 * registry's ring field read, for a ring made before; both go to the
 * pipeline (procinfo_ring_found), which opens each once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attr/mnattr.h"
#include "source/bpf_runtime.h"
#include "nstaint.skel.h"

struct libmn_state {
	struct mn_usdt {
		dev_t dev;
		ino_t ino;
		struct bpf_link *link;
		struct bpf_link *ring;	/* libmn:ring_ready; NULL: none */
	} *usdt;		/* libmn:thread_start attached, once per file */
	size_t nusdt;
	__u32 *pids;		/* registry read, until they exec */
	size_t npids;
};

static void slot_add(void *ctx, __u32 tid, __u64 slot_addr)
{
	int *fd = ctx;

	bpf_map_update_elem(*fd, &tid, &slot_addr, BPF_ANY);
}

/* Attach libmn:thread_start in @mp's file, once per file; not once the
 * programs are detached (stopping). */
static int usdt_attach(struct procinfo *pi, struct libmn_state *st,
		       const struct mn_proc *mp)
{
	struct bpf_link *link, *ring;
	struct mn_usdt *u;

	for (size_t i = 0; i < st->nusdt; i++)
		if (st->usdt[i].dev == mp->dev && st->usdt[i].ino == mp->ino)
			return 0;
	if (procinfo_stopping(pi))
		return 0;
	u = realloc(st->usdt, (st->nusdt + 1) * sizeof(*u));
	if (!u)
		return -ENOMEM;
	st->usdt = u;
	link = bpf_program__attach_usdt(procinfo_skel(pi)->progs.mn_thread_start,
					-1, mp->usdt_path, "libmn",
					"thread_start", NULL);
	if (!link)
		return -errno;
	/* A libmn from before the report ring has no such probe. */
	ring = bpf_program__attach_usdt(procinfo_skel(pi)->progs.mn_ring_ready,
					-1, mp->usdt_path, "libmn",
					"ring_ready", NULL);
	if (!ring && errno != ENOENT)
		fprintf(stderr, "nstaint: cannot attach libmn:ring_ready in "
			"%s: %s; its report rings are found at a taint only\n",
			mp->usdt_path, strerror(errno));
	u[st->nusdt++] = (struct mn_usdt){ mp->dev, mp->ino, link, ring };
	return 0;
}

static void attach_or_say(struct procinfo *pi, struct libmn_state *st,
			  const struct mn_proc *mp, __u32 pid)
{
	int err = usdt_attach(pi, st, mp);

	if (err)
		fprintf(stderr, "nstaint: pid %u: cannot attach "
			"libmn:thread_start in %s: %s; its new threads' tasks "
			"go unnamed\n", pid, mp->usdt_path, strerror(-err));
}

static void libmn_check(struct procinfo *pi, void *state, __u32 pid,
			bool exec)
{
	int fd = bpf_map__fd(procinfo_skel(pi)->maps.mnslots), err;
	struct libmn_state *st = state;
	struct mn_abi_ring ring;
	struct mn_proc mp;
	__u32 *np;

	for (size_t i = 0; i < st->npids; i++) {
		if (st->pids[i] != pid)
			continue;
		if (!exec)
			return;
		/* A new program now: read it again. */
		st->pids[i] = st->pids[--st->npids];
		break;
	}
	/*
	 * Just exec'd, libmn.so not mapped yet: attach in the file the
	 * loader will map (held under trace -- CMD: before the runtime
	 * starts; else the registry, read next, has what came before).
	 */
	if (exec) {
		struct mn_proc so;

		if (!mnattr_needed(pid, &so))
			attach_or_say(pi, st, &so, pid);
	}
	err = mnattr_find(pid, &mp);
	/* Not mapped yet: the registry is read at the first taint. */
	if (err || !mp.usdt_path[0])
		return;
	attach_or_say(pi, st, &mp, pid);
	err = mnattr_threads(pid, mp.registry, slot_add, &fd);
	if (err < 0)
		fprintf(stderr, "nstaint: pid %u: cannot read the libmn "
			"registry: %s\n", pid, strerror(-err));
	/* Made already (a process older than us, or before its taint). */
	if (!mnattr_ring(pid, mp.registry, &ring))
		procinfo_ring_found(pi, pid, ring.fd);
	np = realloc(st->pids, (st->npids + 1) * sizeof(*np));
	if (!np)
		return;
	st->pids = np;
	np[st->npids++] = pid;
}

static void libmn_release(void *state)
{
	struct libmn_state *st = state;

	for (size_t i = 0; i < st->nusdt; i++) {
		bpf_link__destroy(st->usdt[i].link);
		bpf_link__destroy(st->usdt[i].ring);
	}
	free(st->usdt);
	free(st->pids);
}

const struct bpf_runtime bpf_runtime_libmn = {
	.name = "libmn",
	.state_size = sizeof(struct libmn_state),
	.at_start = true,
	.check = libmn_check,
	.release = libmn_release,
};
