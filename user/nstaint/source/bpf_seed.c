// SPDX-License-Identifier: GPL-2.0-only
/*
 * Home sets of running processes, and threads already tainted before we
 * attached, so their later moves and the tasks running on them are known.
 */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <nstaint/taint.h>

#include "source/bpf_priv.h"
#include "source/bpf_procinfo.h"
#include "source/snapshot_iter.h"
#include "nstaint.skel.h"

int bpf_seed_from_proc(struct bpf_priv *p)
{
	int hfd = bpf_map__fd(p->skel->maps.homes);
	int tfd = bpf_map__fd(p->skel->maps.tainted);
	pid_t follow = p->opts.follow_pid;
	struct snapshot s;
	size_t i, j;
	int err;

	err = snapshot_take_seed(&s);
	if (err < 0)
		return err;
	for (i = 0; i < s.nprocs; i++) {
		const struct snap_proc *sp = &s.procs[i];
		__u32 pid = sp->pid;
		bool tainted = false;

		if (sp->err)
			continue;
		bpf_map_update_elem(hfd, &pid, &sp->home, BPF_NOEXIST);
		for (j = 0; j < sp->nthreads; j++) {
			struct taint tt = {
				.mask = sp->threads[j].tainted_mask,
			};
			__u32 tid = sp->threads[j].tid;

			if (!tt.mask)
				continue;
			memcpy(tt.ns, sp->threads[j].ns.ino, sizeof(tt.ns));
			/* Not attached yet: the counters are ours alone. */
			tt.gen = ++p->skel->bss->taint_gen;
			if (!bpf_map_update_elem(tfd, &tid, &tt, BPF_NOEXIST))
				p->skel->bss->ntainted++;
			tainted = true;
		}
		/* Their Go binaries: by the worker (DWARF takes a while). */
		if (tainted)
			procinfo_tainted(p->pi, pid, false);
		if (!follow || pid == (__u32)follow)
			procinfo_check_at_start(p->pi, pid);
	}
	snapshot_free(&s);
	return 0;
}
