/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the BPF programs need to know about a process to name the user
 * tasks on its threads (Go offsets, libmn thread slots), found by reading
 * its binaries: slow (ELF, DWARF), so done by a worker thread, never in a
 * ring buffer callback.  The worker also resumes the followed processes
 * that the BPF side stopped at exec until they were looked at.
 */
#ifndef NSTAINT_BPF_PROCINFO_H
#define NSTAINT_BPF_PROCINFO_H

#include <stdbool.h>
#include <linux/types.h>

struct nstaint_bpf;
struct procinfo;

/*
 * For @skel, loaded, not attached yet.  @follow: only followed processes
 * are looked at (trace -p, -- CMD), and their execs are held (SIGSTOP)
 * until procinfo_exec's check is done.  NULL when out of memory.
 */
struct procinfo *procinfo_new(struct nstaint_bpf *skel, bool follow);

/* Before procinfo_start: look at @pid now (the /proc snapshot), for
 * the runtimes cheap enough to look at every process at start. */
void procinfo_check_at_start(struct procinfo *pi, __u32 pid);

/* Start the worker: 0 or a negative errno (then nothing is queued). */
int procinfo_start(struct procinfo *pi);

/* Queued for the worker.  @pid's first taint, or a thread tainted at
 * start: is it Go, does it run libmn?  @held: the BPF side stopped it
 * (NSTAINT_F_HELD) until then; it is resumed once looked at. */
void procinfo_tainted(struct procinfo *pi, __u32 pid, bool held);
/* @pid exec'd, and is stopped if followed: look at the new program, then
 * resume it.  Once stopping, resumed at once, not looked at. */
void procinfo_exec(struct procinfo *pi, __u32 pid);

/*
 * Stop looking: resume every process still held, unchecked, and end the
 * worker.  Later procinfo_exec calls only resume.  Call after the BPF
 * programs are detached, before their last exec records are drained.
 */
void procinfo_stop(struct procinfo *pi);

/*
 * The drain thread: hand each report ring the checks found since the
 * last call (procinfo_ring_found) to @fn.  Found by one thread at a time
 * and taken by another: a lock-free queue of PI_RINGS, whose overflow is
 * counted and said at procinfo_stop (the ring is looked for again at the
 * process's next taint).
 */
void procinfo_rings_take(struct procinfo *pi,
			 void (*fn)(void *ctx, __u32 pid, int fd), void *ctx);

/* Stopped first if it was not; detach the libmn probes, free. */
void procinfo_free(struct procinfo *pi);

#endif
