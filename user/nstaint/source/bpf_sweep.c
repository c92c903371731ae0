// SPDX-License-Identifier: GPL-2.0-only
/*
 * A taint of @e->tid ended (@e: its thread_restored or thread_exit, just
 * delivered): each of its seen[] entries becomes a task_summary record,
 * and goes, so that seen[] holds live taints only.  An entry whose
 * generation is tainted[tid]'s now belongs to a new taint of the same
 * thread and stays; generations only grow, so tainted[] read after the
 * keys were collected tells the live one.  An entry of a taint whose end
 * was lost goes at the thread's next end.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <nstaint/nsdiff.h>
#include <nstaint/taint.h>

#include "source/bpf_priv.h"
#include "nstaint.skel.h"

int bpf_seen_sweep(struct bpf_priv *p, const struct nstaint_event *e)
{
	int fd = bpf_map__fd(p->skel->maps.seen), err = 0;
	const __u32 *ns = e->type == NSTAINT_EV_THREAD_RESTORED ? e->ns_old :
							  e->ns_new;
	struct seen_key key, cur, *prev = NULL, *keys = NULL;
	struct seen_val v, *vals = NULL;
	size_t n = 0, cap = 0, i;
	struct nstaint_event ev;
	struct taint tt;
	__u32 tid = e->tid;
	__u64 live = 0;

	while (!bpf_map_get_next_key(fd, prev, &key)) {
		if (!bpf_map_lookup_elem(fd, &key, &v) && v.tid == tid) {
			if (n == cap) {
				cap = cap ? 2 * cap : 16;
				keys = realloc(keys, cap * sizeof(*keys));
				vals = realloc(vals, cap * sizeof(*vals));
				if (!keys || !vals) {
					err = -ENOMEM;
					goto out;
				}
			}
			keys[n] = key;
			vals[n++] = v;
		}
		cur = key;
		prev = &cur;
	}
	if (!bpf_map_lookup_elem(bpf_map__fd(p->skel->maps.tainted), &tid,
				 &tt))
		live = tt.gen;
	for (i = 0; i < n && !err; i++) {
		if (keys[i].gen == live)
			continue;
		ev = *e;
		ev.type = NSTAINT_EV_TASK_SUMMARY;
		ev.cause = seen_cause(keys[i].nr);
		memcpy(ev.ns_old, ns, sizeof(ev.ns_old));
		memcpy(ev.ns_new, ns, sizeof(ev.ns_new));
		ev.changed_mask = 0;
		ev.tainted_mask = nstaint_ns_diff(ns, e->ns_home);
		ev.pid = vals[i].pid;
		ev.flags = 0;
		ev.ret = 0;
		ev.stack_depth = 0;
		ev.task_kind = vals[i].kind;
		ev.task_id = keys[i].task_id;
		ev.syscall_nr = keys[i].nr >= 0 ? keys[i].nr : -1;
		ev.count = vals[i].count;
		bpf_map_delete_elem(fd, &keys[i]);
		err = bpf_deliver(p, &ev);
	}
out:
	free(keys);
	free(vals);
	return err;
}
