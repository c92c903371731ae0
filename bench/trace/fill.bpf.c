// SPDX-License-Identifier: GPL-2.0-only
/*
 * A synthetic ring fill for the drain-rate benchmark (drainbench.c): one
 * run of `fill` reserves and submits @nrec records of the nstaint ABI
 * into a ring buffer of the default size, as fast as the kernel can, with
 * no wake-up; the benchmark then times their drain alone.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <nstaint/events.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096 * 1024);	/* RINGBUF_KB_DEFAULT */
} ring SEC(".maps");

const volatile __u32 nrec = 1;
__u64 filled;

static long fill_one(__u64 i, void *ctx)
{
	struct nstaint_event *e;

	e = bpf_ringbuf_reserve(&ring, sizeof(*e), 0);
	if (!e)
		return 1;
	e->version = NSTAINT_ABI_VERSION;
	e->size = sizeof(*e);
	e->type = NSTAINT_EV_NS_CHANGE;
	e->cause = NSTAINT_CAUSE_UNSHARE;
	e->ts_ns = i;
	e->pid = 1;
	e->tid = 1;
	e->stack_depth = 0;
	e->syscall_nr = -1;
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
	filled++;
	return 0;
}

SEC("syscall")
int fill(void *ctx)
{
	bpf_loop(nrec, fill_one, NULL, 0);
	return 0;
}
