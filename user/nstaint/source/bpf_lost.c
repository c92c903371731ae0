// SPDX-License-Identifier: GPL-2.0-only
/*
 * The BPF side counts what it could not record, per reason and per CPU
 * (the lost map); each poll turns the growth of each reason's total into
 * one `lost` record (stage kernel), so nothing is lost silently.
 */
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "source/bpf_priv.h"
#include "nstaint.skel.h"
#include "common/monotime.h"

int bpf_report_lost(struct bpf_priv *p)
{
	int fd = bpf_map__fd(p->skel->maps.lost);
	__u64 vals[p->ncpus], total;
	struct nstaint_event ev;
	__u32 reason;
	int i, err;

	for (reason = 0; reason < NSTAINT_LOST_REASON_COUNT; reason++) {
		if (bpf_map_lookup_elem(fd, &reason, vals))
			continue;
		for (total = 0, i = 0; i < p->ncpus; i++)
			total += vals[i];
		if (total == p->lost_seen[reason])
			continue;
		memset(&ev, 0, sizeof(ev));
		ev.version = NSTAINT_ABI_VERSION;
		ev.type = NSTAINT_EV_LOST;
		ev.size = sizeof(ev);
		ev.syscall_nr = -1;
		ev.lost_reason = reason;
		ev.ts_ns = mono_ns();
		ev.count = total - p->lost_seen[reason];
		p->lost_seen[reason] = total;
		err = bpf_deliver(p, &ev);
		if (err)
			return err;
	}
	return 0;
}
