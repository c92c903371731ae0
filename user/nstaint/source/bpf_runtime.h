/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A user-task runtime whose tasks the BPF side names (Go, libmn): what
 * the procinfo worker does with a process to tell the BPF programs where
 * that runtime publishes the running task.  One file each (bpf_rt_*.c),
 * reading the process with attr/, writing the BPF maps; one line in
 * bpf_procinfo.c's table.  A check runs in one thread at a time (the
 * caller before procinfo_start, then the worker), so @st needs no lock.
 */
#ifndef NSTAINT_SOURCE_BPF_RUNTIME_H
#define NSTAINT_SOURCE_BPF_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct nstaint_bpf;
struct procinfo;

#define BPF_RUNTIMES_MAX	8

struct bpf_runtime {
	const char *name;
	size_t state_size;	/* zeroed at procinfo_new, freed after release */
	bool at_start;		/* cheap: look at every process at start */
	/* Look at @pid: at start, at a taint, or just after an exec (@exec:
	 * whatever was known of it is another program's). */
	void (*check)(struct procinfo *pi, void *st, __u32 pid, bool exec);
	/* Optional: release what @st holds (links, arrays). */
	void (*release)(void *st);
};

extern const struct bpf_runtime bpf_runtime_go;
extern const struct bpf_runtime bpf_runtime_libmn;

/* What a runtime's check may ask of the procinfo it runs for. */
struct nstaint_bpf *procinfo_skel(const struct procinfo *pi);
bool procinfo_follows(const struct procinfo *pi); /* only followed pids */
bool procinfo_stopping(struct procinfo *pi);	  /* detached: attach none */
/* Process @pid has a report ring at its fd @fd: for the pipeline. */
void procinfo_ring_found(struct procinfo *pi, __u32 pid, int fd);

#endif
