// SPDX-License-Identifier: GPL-2.0-only
/* Attach policy of the system call entry hook; syscall_hook.h says why. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <nstaint/events.h>
#include "source/syscall_hook.h"
#include "nstaint.skel.h"
#include "common/monotime.h"

/* The kernel's BTF describes the sys_enter tracepoint: tp_btf works. */
static bool tp_btf_has_sys_enter(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	bool has;

	if (!btf)
		return false;
	has = btf__find_by_name_kind(btf, "btf_trace_sys_enter",
				     BTF_KIND_TYPEDEF) > 0;
	btf__free(btf);
	return has;
}

void syscall_hook_prepare(struct syscall_hook *h, struct nstaint_bpf *skel)
{
	/* NSTAINT_NO_TP_BTF=1 forces the raw_tp form (tests). */
	bool btf = !getenv("NSTAINT_NO_TP_BTF") && tp_btf_has_sys_enter();

	memset(h, 0, sizeof(*h));
	h->prog = btf ? skel->progs.tp_sys_enter : skel->progs.raw_sys_enter;
	bpf_program__set_autoload(skel->progs.tp_sys_enter, btf);
	bpf_program__set_autoload(skel->progs.raw_sys_enter, !btf);
	bpf_program__set_autoattach(h->prog, false);
	/*
	 * Only followed processes are held: others are not ours to stop.
	 * NSTAINT_NO_HOLD=1 holds none (tests that stop trace itself to see
	 * a program run on before its records are read).
	 */
	skel->rodata->hold_taint = skel->rodata->follow_only &&
				   !getenv("NSTAINT_NO_HOLD");
}

int syscall_hook_update(struct syscall_hook *h, struct nstaint_bpf *skel,
			const struct nstaint_event *ev)
{
	__u64 t;
	int err;

	if (!__atomic_load_n(&skel->bss->ntainted, __ATOMIC_SEQ_CST)) {
		if (h->link) {
			/*
			 * Off first: a taint from now on holds its process.
			 * Then look again: a taint counted before the store
			 * saw the hook on and held nobody (the BPF side
			 * counts it before it reads sys_hook_on), so the
			 * hook must stay.
			 */
			__atomic_store_n(&skel->bss->sys_hook_on, 0, __ATOMIC_SEQ_CST);
			if (__atomic_load_n(&skel->bss->ntainted, __ATOMIC_SEQ_CST)) {
				__atomic_store_n(&skel->bss->sys_hook_on, 1, __ATOMIC_RELEASE);
				return 0;
			}
			bpf_link__destroy(h->link);
			h->link = NULL;
		}
		return 0;
	}
	if (h->link)
		return 0;
	h->link = bpf_program__attach(h->prog);
	if (!h->link) {
		err = -errno;
		fprintf(stderr, "nstaint: cannot attach the system call hook: "
			"%s; tasks are seen at context switches only\n",
			strerror(-err));
		return err;
	}
	/* Attached before it says so: BPF holds nobody it will not see. */
	__atomic_store_n(&skel->bss->sys_hook_on, 1, __ATOMIC_RELEASE);
	if (ev) {
		t = mono_ns();
		if (t > ev->ts_ns) {
			h->nwindows++;
			h->window_sum_ns += t - ev->ts_ns;
			if (t - ev->ts_ns > h->window_max_ns)
				h->window_max_ns = t - ev->ts_ns;
		}
	}
	return 0;
}

void syscall_hook_close(struct syscall_hook *h, struct nstaint_bpf *skel)
{
	if (h->link) {
		skel->bss->sys_hook_on = 0;
		bpf_link__destroy(h->link);
		h->link = NULL;
	}
	if (getenv("NSTAINT_DEBUG"))
		fprintf(stderr, "nstaint: system call hook: %lu taint-to-attach "
			"windows, mean %llu us, max %llu us\n", h->nwindows,
			h->nwindows ? (unsigned long long)(h->window_sum_ns /
				h->nwindows / 1000) : 0ULL,
			(unsigned long long)(h->window_max_ns / 1000));
}
