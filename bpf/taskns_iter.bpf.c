// SPDX-License-Identifier: GPL-2.0-only
/*
 * nstaint ps without /proc: an iter/task program that writes one
 * struct taskns_rec per thread, so one read(2) loop gives what a /proc
 * scan gathers with a dozen system calls per thread.
 *
 * It reports what /proc would show the reader, so both paths agree:
 *  - pids as seen from the reader's pid namespace (the iterator walks the
 *    tasks of that namespace; task->pid is the initial namespace's);
 *  - no record for a task without nsproxy (exiting: /proc/TID/ns/ links
 *    fail with ENOENT there too);
 *  - pid_for_children 0 while that namespace has no child reaper yet (after
 *    unshare(CLONE_NEWPID), before the first fork), as the link is absent;
 *  - ppid from the thread group leader's real parent, as /proc/PID/stat.
 * Kernel threads are flagged: /proc names workqueue workers by what they
 * run, which userspace reads from /proc for those few.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <nstaint/taskns_iter.h>

#define PF_KTHREAD	0x00200000
#define MAX_PID_NS_LEVEL 32

char LICENSE[] SEC("license") = "GPL";

/*
 * Fields are read with BPF_CORE_READ (bpf_probe_read_kernel), not by
 * direct loads of BTF pointers: since 6.2 the verifier searches all of
 * vmlinux's BTF by name for every pointer loaded from a trusted one (the
 * task), which costs more than the reads save.  The fewer reads per
 * task, the faster the dump: in the initial pid namespace (level 0) the
 * task's own pid and tgid fields are the numbers /proc shows.
 */

/* The number of @pid in the namespace at @level, if it is @ns there
 * (pid_nr_ns()); 0 when the pid is not visible from @ns. */
static __always_inline __u32 pid_nr_at(struct pid *pid, __u32 level,
					struct pid_namespace *ns)
{
	struct upid up = {};
	void *base;

	if (!pid || level >= MAX_PID_NS_LEVEL || BPF_CORE_READ(pid, level) < level)
		return 0;
	base = (void *)pid + bpf_core_field_offset(struct pid, numbers);
	if (bpf_probe_read_kernel(&up, sizeof(up), base + level * sizeof(up)))
		return 0;
	return up.ns == ns ? up.nr : 0;
}

/* The reader's pid namespace and its level, found at the first task. */
static struct pid_namespace *reader_ns;
static __u32 reader_level;

static __always_inline int find_reader_ns(void)
{
	struct task_struct *me = bpf_get_current_task_btf();
	struct pid *pid = BPF_CORE_READ(me, thread_pid);
	__u32 level = BPF_CORE_READ(pid, level);
	struct upid up = {};

	if (level >= MAX_PID_NS_LEVEL ||
	    bpf_probe_read_kernel(&up, sizeof(up), (void *)pid +
				  bpf_core_field_offset(struct pid, numbers) +
				  level * sizeof(up)))
		return -1;
	reader_ns = up.ns;
	reader_level = level;
	return 0;
}

/* tid, tgid and ppid of @t as /proc seen from the reader shows them. */
static __always_inline void read_ids(struct task_struct *t,
				     struct taskns_rec *r)
{
	struct task_struct *leader = BPF_CORE_READ(t, group_leader);
	struct task_struct *parent = BPF_CORE_READ(leader, real_parent);
	__u32 level = reader_level;

	if (level == 0) {
		r->tid = BPF_CORE_READ(t, pid);
		r->tgid = BPF_CORE_READ(t, tgid);
		r->ppid = BPF_CORE_READ(parent, tgid);
		return;
	}
	r->tid = pid_nr_at(BPF_CORE_READ(t, thread_pid), level, reader_ns);
	r->tgid = pid_nr_at(BPF_CORE_READ(leader, thread_pid), level, reader_ns);
	r->ppid = pid_nr_at(BPF_CORE_READ(parent, group_leader, thread_pid),
			    level, reader_ns);
}

SEC("iter/task")
int taskns_dump(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct taskns_rec r = {};
	struct pid_namespace *pidc;
	struct nsproxy *nsp;

	if (!t)
		return 0;
	if (!reader_ns && find_reader_ns())
		return 1;	/* stop: nothing could be told right */
	nsp = BPF_CORE_READ(t, nsproxy);
	if (!nsp)
		return 0;
	read_ids(t, &r);
	if (!r.tid || !r.tgid)
		return 0;
	if (BPF_CORE_READ(t, flags) & PF_KTHREAD)
		r.flags |= TASKNS_F_KTHREAD;

	r.ino[NSTAINT_NS_MNT] = BPF_CORE_READ(nsp, mnt_ns, ns.inum);
	r.ino[NSTAINT_NS_NET] = BPF_CORE_READ(nsp, net_ns, ns.inum);
	r.ino[NSTAINT_NS_UTS] = BPF_CORE_READ(nsp, uts_ns, ns.inum);
	r.ino[NSTAINT_NS_IPC] = BPF_CORE_READ(nsp, ipc_ns, ns.inum);
	r.ino[NSTAINT_NS_CGROUP] = BPF_CORE_READ(nsp, cgroup_ns, ns.inum);
	r.ino[NSTAINT_NS_TIME] = BPF_CORE_READ(nsp, time_ns_for_children, ns.inum);
	pidc = BPF_CORE_READ(nsp, pid_ns_for_children);
	if (pidc && BPF_CORE_READ(pidc, child_reaper))
		r.ino[NSTAINT_NS_PID] = BPF_CORE_READ(pidc, ns.inum);
	/* /proc's user link: the task's objective credentials. */
	r.ino[NSTAINT_NS_USER] = BPF_CORE_READ(t, real_cred, user_ns, ns.inum);
	bpf_probe_read_kernel(r.comm, sizeof(r.comm), &t->comm);
	r.comm[sizeof(r.comm) - 1] = '\0';

	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}
