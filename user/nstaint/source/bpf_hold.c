// SPDX-License-Identifier: GPL-2.0-only
/*
 * Teardown of the BPF source, where the exec-hold protocol must end
 * cleanly: a followed process that execs is stopped by the BPF side
 * (hold_exec) until the procinfo worker has read its new program and
 * sends SIGCONT.  Nothing here may leave one stopped.
 */
#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/membarrier.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "source/bpf_priv.h"
#include "source/bpf_procinfo.h"
#include "nstaint.skel.h"

/*
 * Detach first, so no new stop can come; stop the worker, which resumes
 * what it holds without reading any more programs; then drain the exec
 * ring, whose last records are resumed at once: stopping (or failing to
 * start) never leaves a followed program stopped (the events ring too:
 * a held taint is resumed the same way).  Only once no program
 * that started before the detach still runs: one may have sent SIGSTOP
 * and not yet committed its record.  They run inside RCU read-side
 * sections, and MEMBARRIER_CMD_GLOBAL waits for a grace period
 * (synchronize_rcu()); where it is refused (nohz_full), a pause does the
 * same in practice.
 */
void bpf_detach_release(struct bpf_priv *p)
{
	syscall_hook_close(&p->hook, p->skel);
	exact_close(&p->exact);
	nstaint_bpf__detach(p->skel);
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0))
		usleep(100 * 1000);
	p->closing = true;
	procinfo_stop(p->pi);
	bpf_ring_drain(p);
}

/*
 * The sched_switch fast path trusts ntainted to equal the number of
 * entries of tainted[] (bpf/nstaint.bpf.c).  Once detached and past a
 * grace period nothing changes either: say so if they differ.
 */
void bpf_check_taint_count(struct bpf_priv *p)
{
	int fd = bpf_map__fd(p->skel->maps.tainted);
	__u32 key, next, *prev = NULL;
	unsigned long long n = 0;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		n++;
	}
	if (n != p->skel->bss->ntainted)
		fprintf(stderr, "nstaint: internal error: %llu tainted threads "
			"counted, %llu in the map\n",
			(unsigned long long)p->skel->bss->ntainted, n);
}
