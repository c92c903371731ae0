// SPDX-License-Identifier: GPL-2.0-only
/*
 * Go: if a process is a Go binary whose offsets are known (DWARF, else
 * the version table: attr/goattr.c), tell the BPF programs where its g,
 * goid and lockedm live (goprocs map) so they can name the goroutines
 * that run on its tainted threads, and where they live in its executable
 * file (gobins map), so the next exec of that file is named from its
 * start.  Say why when a Go binary cannot be named.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attr/goattr.h"
#include "source/bpf_runtime.h"
#include "nstaint.skel.h"

struct go_state {
	__u32 warned[64];	/* told about on stderr, newest 64 */
	unsigned int nwarned;
};

/* Pids told about on stderr (goroutines not named): once per process. */
static bool warn_once(struct go_state *st, __u32 pid)
{
	unsigned int i;

	for (i = 0; i < st->nwarned && i < 64; i++)
		if (st->warned[i] == pid)
			return false;
	st->warned[st->nwarned++ % 64] = pid;
	return true;
}

static void go_check(struct procinfo *pi, void *state, __u32 pid, bool exec)
{
	struct nstaint_bpf *skel = procinfo_skel(pi);
	int fd = bpf_map__fd(skel->maps.goprocs);
	struct go_state *st = state;
	int exefd = bpf_map__fd(skel->maps.goexe);
	struct go_exe x, x2;
	struct go_offsets off;
	struct goattr ga;
	bool has_exe;
	char exe[64];
	__u8 one;
	int err;

	if (!bpf_map_lookup_elem(fd, &pid, &off))
		return;
	/* Not reported (trace -p, -- CMD): nothing to name, nothing to say. */
	if (procinfo_follows(pi) &&
	    bpf_map_lookup_elem(bpf_map__fd(skel->maps.follow), &pid, &one))
		return;
	/* The file the BPF side saw exec'd, before and after reading exe:
	 * the same one both times, or @ga may be another program's. */
	has_exe = !bpf_map_lookup_elem(exefd, &pid, &x);
	snprintf(exe, sizeof(exe), "/proc/%u/exe", pid);
	err = goattr_read(exe, &ga);
	if (!err) {
		if (has_exe && !bpf_map_lookup_elem(exefd, &pid, &x2) &&
		    !memcmp(&x, &x2, sizeof(x)))
			bpf_map_update_elem(bpf_map__fd(skel->maps.gobins),
					    &x, &ga.off, BPF_ANY);
		bpf_map_update_elem(fd, &pid, &ga.off, BPF_ANY);
	} else if (err == -ENOTSUP && warn_once(st, pid))
		fprintf(stderr, "nstaint: pid %u: goroutines will not be "
			"named: %s\n", pid, ga.why);
}

const struct bpf_runtime bpf_runtime_go = {
	.name = "go",
	.state_size = sizeof(struct go_state),
	.check = go_check,
};
