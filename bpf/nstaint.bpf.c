// SPDX-License-Identifier: GPL-2.0-only
/*
 * nstaint BPF side: follow every thread's namespace set, keep which threads
 * differ from their process's home set (design.md), and report the user
 * tasks (goroutines) that run unlocked on those threads.
 *
 * Hooks, all portable to Debian's 6.1 kernel (no kprobes needed):
 *  - syscalls/sys_enter+exit_{setns,unshare}: the set before and after;
 *  - tp_btf/task_newtask: clone flags, clone_from_tainted, new homes;
 *  - tp_btf/sched_process_exec: the home set is the set at exec;
 *  - tp_btf/sched_process_exit: thread_exit, forget dead processes;
 *  - tp_btf/sched_switch: one lookup in @tainted for the outgoing thread;
 *    only a tainted thread reads its Go g from TLS.
 *
 * Invariant: @tainted holds an entry for a tid exactly while that thread's
 * set differs from homes[pid] (as far as the hooks above can see).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <nstaint/events.h>
#include "nstaint.h"

#define CLONE_THREAD	0x00010000
#define CLONE_NEW_ANY	(0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | \
			 0x10000000 | 0x20000000 | 0x40000000 | 0x00000080)

char LICENSE[] SEC("license") = "GPL";

/* Only processes in @follow (and their descendants) when set. */
const volatile bool filter_tree = false;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 16);
} execs SEC(".maps");

/* Records that could not be reserved; userspace reports them as `lost`. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, NSTAINT_MAX_PROCS);
	__type(key, __u32);
	__type(value, struct nstaint_home);
} homes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, NSTAINT_MAX_THREADS);
	__type(key, __u32);
	__type(value, struct nstaint_tainted);
} tainted SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, NSTAINT_MAX_PROCS);
	__type(key, __u32);
	__type(value, struct nstaint_goproc);
} goprocs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, struct nstaint_file_key);
	__type(value, struct nstaint_goproc);
} gobins SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, NSTAINT_MAX_SEEN);
	__type(key, struct nstaint_seen_key);
	__type(value, __u64);
} seen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, NSTAINT_MAX_PROCS);
	__type(key, __u32);
	__type(value, __u8);
} follow SEC(".maps");

/* pending[tid]: the set at syscall entry, consumed at exit. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, NSTAINT_MAX_THREADS);
	__type(key, __u32);
	__type(value, struct nstaint_home);
} pending SEC(".maps");

static __always_inline void read_ns(struct task_struct *t, __u32 *ns)
{
	struct nsproxy *nsp = BPF_CORE_READ(t, nsproxy);

	if (!nsp) {
		for (int i = 0; i < NSTAINT_NS_COUNT; i++)
			ns[i] = 0;
		return;
	}
	ns[NSTAINT_NS_MNT] = BPF_CORE_READ(nsp, mnt_ns, ns.inum);
	ns[NSTAINT_NS_NET] = BPF_CORE_READ(nsp, net_ns, ns.inum);
	ns[NSTAINT_NS_UTS] = BPF_CORE_READ(nsp, uts_ns, ns.inum);
	ns[NSTAINT_NS_IPC] = BPF_CORE_READ(nsp, ipc_ns, ns.inum);
	ns[NSTAINT_NS_USER] = BPF_CORE_READ(t, cred, user_ns, ns.inum);
	ns[NSTAINT_NS_CGROUP] = BPF_CORE_READ(nsp, cgroup_ns, ns.inum);
	ns[NSTAINT_NS_TIME] = BPF_CORE_READ(nsp, time_ns_for_children, ns.inum);
	ns[NSTAINT_NS_PID] = BPF_CORE_READ(nsp, pid_ns_for_children, ns.inum);
}

/* 1 if @v != 0, without a branch (BPF has no setcc). */
static __always_inline __u64 nz(__u64 v)
{
	return (v + 0xffffffffULL) >> 32;
}

/*
 * Bits where both sets know the type and differ.  Branch-free on purpose:
 * with one branch per type the verifier walks 3^8 paths per call site.
 */
static __always_inline __u32 ns_diff(const __u32 *a, const __u32 *b)
{
	__u64 mask = 0;

	for (int i = 0; i < NSTAINT_NS_COUNT; i++) {
		__u64 x = a[i], y = b[i];

		mask |= (nz(x ^ y) & nz(x) & nz(y)) << i;
	}
	return mask;
}

/*
 * Number of entries in @tainted.  sched_switch reads only this while it is
 * 0, so with nothing tainted a context switch costs one load.  Kept exact:
 * changed only by tainted_add/tainted_del (and by the loader's seed before
 * attach).
 */
__u64 ntainted = 0;

static __always_inline void count_lost(void);

static __always_inline void tainted_add(__u32 tid, struct nstaint_tainted *v)
{
	struct nstaint_tainted *cur = bpf_map_lookup_elem(&tainted, &tid);

	if (cur) {
		*cur = *v;
		return;
	}
	if (bpf_map_update_elem(&tainted, &tid, v, BPF_NOEXIST))
		count_lost();	/* table full: this taint goes unseen */
	else
		__sync_fetch_and_add(&ntainted, 1);
}

static __always_inline void tainted_del(__u32 tid)
{
	if (!bpf_map_delete_elem(&tainted, &tid))
		__sync_fetch_and_add(&ntainted, -1);
}

static __always_inline bool followed(__u32 pid)
{
	return !filter_tree || bpf_map_lookup_elem(&follow, &pid);
}

static __always_inline void count_lost(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&lost, &zero);

	if (n)
		*n += 1;
}

/* A zeroed record with the common fields of @t filled in, or NULL (and
 * one more `lost`). */
static __always_inline struct nstaint_event *
ev_new(__u16 type, __u16 cause, struct task_struct *t)
{
	struct nstaint_event *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_lost();
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->version = NSTAINT_ABI_VERSION;
	e->type = type;
	e->size = sizeof(*e);
	e->cause = cause;
	e->ts_ns = bpf_ktime_get_ns();
	e->pid = BPF_CORE_READ(t, tgid);
	e->tid = BPF_CORE_READ(t, pid);
	BPF_CORE_READ_STR_INTO(&e->comm, t, comm);
	return e;
}

/*
 * The goroutine running on @t (which must be current), if its process is a
 * configured Go program.  Returns enum nstaint_task_kind.
 */
static __always_inline __u32 go_task(struct task_struct *t, __u32 pid,
				     __u64 *goid, bool *locked)
{
	struct nstaint_goproc *gp = bpf_map_lookup_elem(&goprocs, &pid);
	__u64 fsbase, g = 0, lockedm = 0;

	if (!gp)
		return NSTAINT_TASK_NONE;
#ifdef __TARGET_ARCH_x86
	fsbase = BPF_CORE_READ(t, thread.fsbase);
#else
	return NSTAINT_TASK_NONE;
#endif
	if (!fsbase ||
	    bpf_probe_read_user(&g, sizeof(g), (void *)(fsbase + gp->tls_g_off)) ||
	    !g)
		return NSTAINT_TASK_NONE;
	if (bpf_probe_read_user(goid, sizeof(*goid), (void *)(g + gp->goid_off)) ||
	    bpf_probe_read_user(&lockedm, sizeof(lockedm),
				(void *)(g + gp->lockedm_off)))
		return NSTAINT_TASK_NONE;
	/* goid 0: g0 or gsignal, the runtime's own stacks, no user task. */
	if (!*goid)
		return NSTAINT_TASK_NONE;
	*locked = lockedm != 0;
	return NSTAINT_TASK_GO;
}

static __always_inline void copy_set(__u32 *dst, const __u32 *src)
{
	for (int i = 0; i < NSTAINT_NS_COUNT; i++)
		dst[i] = src[i];
}

static __always_inline int enter_ns_syscall(void)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u32 tid = t->pid;
	struct nstaint_home set;

	read_ns(t, set.ns);
	bpf_map_update_elem(&pending, &tid, &set, BPF_ANY);
	return 0;
}

/* After a setns/unshare of the current thread: report the change and keep
 * @tainted and @homes true. */
static __always_inline int exit_ns_syscall(void *ctx, long ret, __u16 cause)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u32 tid = t->pid, pid = t->tgid;
	struct nstaint_home *p, old, new, home;
	struct nstaint_tainted *was, now = {};
	struct nstaint_event *e;
	__u32 changed, mask = 0, flags = 0, kind;
	__u64 goid = 0;
	bool locked = false;

	p = bpf_map_lookup_elem(&pending, &tid);
	if (!p)
		return 0;
	old = *p;
	bpf_map_delete_elem(&pending, &tid);
	if (ret)
		return 0;
	read_ns(t, new.ns);
	changed = ns_diff(old.ns, new.ns);
	if (!changed)
		return 0;

	p = bpf_map_lookup_elem(&homes, &pid);
	if (BPF_CORE_READ(t, signal, nr_threads) <= 1) {
		/* A single-threaded process moved as a whole. */
		home = new;
		flags |= NSTAINT_F_HOME_MOVED;
		bpf_map_update_elem(&homes, &pid, &home, BPF_ANY);
	} else if (p) {
		home = *p;
	} else {
		/* Unknown process (evicted, or started during the seed):
		 * its set before this call is the best guess for home. */
		home = old;
		bpf_map_update_elem(&homes, &pid, &home, BPF_ANY);
	}
	mask = ns_diff(new.ns, home.ns);
	kind = go_task(t, pid, &goid, &locked);

	if (followed(pid)) {
		e = ev_new(NSTAINT_EV_NS_CHANGE, cause, t);
		if (e) {
			copy_set(e->ns_old, old.ns);
			copy_set(e->ns_new, new.ns);
			copy_set(e->ns_home, home.ns);
			e->changed_mask = changed;
			e->tainted_mask = mask;
			e->flags = flags | (locked ? NSTAINT_F_TASK_LOCKED : 0);
			e->task_id = goid;
			e->task_kind = kind;
			e->ret = ret;
			bpf_ringbuf_submit(e, 0);
		}
	}

	was = bpf_map_lookup_elem(&tainted, &tid);
	if (mask && was) {
		was->mask = mask;
		return 0;
	}
	if (!mask && !was)
		return 0;
	if (mask) {
		now.pid = pid;
		now.mask = mask;
		now.since_ns = bpf_ktime_get_ns();
		now.owner_id = goid;
		now.owner_kind = kind;
		tainted_add(tid, &now);
	} else {
		now = *was;
		tainted_del(tid);
	}
	if (!followed(pid))
		return 0;
	e = ev_new(mask ? NSTAINT_EV_THREAD_TAINTED : NSTAINT_EV_THREAD_RESTORED,
		   cause, t);
	if (!e)
		return 0;
	copy_set(e->ns_old, old.ns);
	copy_set(e->ns_new, new.ns);
	copy_set(e->ns_home, home.ns);
	e->changed_mask = changed;
	e->tainted_mask = mask;
	e->flags = flags | (locked ? NSTAINT_F_TASK_LOCKED : 0);
	e->task_id = goid;
	e->task_kind = kind;
	e->owner_id = now.owner_id;
	e->owner_kind = now.owner_kind;
	e->ret = ret;
	if (mask) {
		long n = bpf_get_stack(ctx, e->ustack, sizeof(e->ustack),
				       BPF_F_USER_STACK);

		if (n > 0)
			e->stack_depth = n / sizeof(__u64);
		if (n == sizeof(e->ustack))
			e->flags |= NSTAINT_F_STACK_TRUNC;
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/*
 * setns/unshare: fentry/fexit on the syscall functions cost nothing to other
 * syscalls.  The syscall tracepoints below are the fallback where the BPF
 * trampoline is unavailable: enabling any syscall tracepoint sends every
 * syscall of every task through the slow path (~20% on a getppid loop).
 */
SEC("fentry/__x64_sys_setns")
int BPF_PROG(fentry_setns)
{
	return enter_ns_syscall();
}

SEC("fexit/__x64_sys_setns")
int BPF_PROG(fexit_setns, struct pt_regs *regs, long ret)
{
	return exit_ns_syscall(ctx, ret, NSTAINT_CAUSE_SETNS);
}

SEC("fentry/__x64_sys_unshare")
int BPF_PROG(fentry_unshare)
{
	return enter_ns_syscall();
}

SEC("fexit/__x64_sys_unshare")
int BPF_PROG(fexit_unshare, struct pt_regs *regs, long ret)
{
	return exit_ns_syscall(ctx, ret, NSTAINT_CAUSE_UNSHARE);
}

SEC("tracepoint/syscalls/sys_enter_setns")
int enter_setns(void *ctx)
{
	return enter_ns_syscall();
}

SEC("tracepoint/syscalls/sys_exit_setns")
int exit_setns(struct trace_event_raw_sys_exit *ctx)
{
	return exit_ns_syscall(ctx, ctx->ret, NSTAINT_CAUSE_SETNS);
}

SEC("tracepoint/syscalls/sys_enter_unshare")
int enter_unshare(void *ctx)
{
	return enter_ns_syscall();
}

SEC("tracepoint/syscalls/sys_exit_unshare")
int exit_unshare(struct trace_event_raw_sys_exit *ctx)
{
	return exit_ns_syscall(ctx, ctx->ret, NSTAINT_CAUSE_UNSHARE);
}

/* Runs in the parent (current) once the child is fully set up. */
SEC("tp_btf/task_newtask")
int BPF_PROG(on_newtask, struct task_struct *child, u64 clone_flags)
{
	struct task_struct *parent = bpf_get_current_task_btf();
	__u32 ptid = parent->pid, ppid = parent->tgid;
	__u32 cpid = child->tgid, ctid = child->pid;
	bool thread = clone_flags & CLONE_THREAD;
	struct nstaint_tainted *pt, ct;
	struct nstaint_home pset, cset, *home, h;
	struct nstaint_event *e;
	__u8 one = 1;

	if (!thread && filter_tree && bpf_map_lookup_elem(&follow, &ppid))
		bpf_map_update_elem(&follow, &cpid, &one, BPF_ANY);

	pt = bpf_map_lookup_elem(&tainted, &ptid);
	if (!pt && !(!thread && (clone_flags & CLONE_NEW_ANY))) {
		if (!thread) {
			/* A new process is single-threaded: home is its set. */
			read_ns(child, h.ns);
			bpf_map_update_elem(&homes, &cpid, &h, BPF_ANY);
		}
		return 0;
	}

	read_ns(parent, pset.ns);
	read_ns(child, cset.ns);
	if (!thread) {
		bpf_map_update_elem(&homes, &cpid, &cset, BPF_ANY);
		h = cset;
	} else {
		home = bpf_map_lookup_elem(&homes, &cpid);
		if (home)
			h = *home;
		else
			h = pset;
	}
	ct = (struct nstaint_tainted){};
	if (thread && pt) {
		ct = *pt;
		ct.mask = ns_diff(cset.ns, h.ns);
		if (ct.mask)
			tainted_add(ctid, &ct);
	}
	if (!followed(cpid))
		return 0;
	e = ev_new(pt ? NSTAINT_EV_CLONE_FROM_TAINTED : NSTAINT_EV_NS_CHANGE,
		   NSTAINT_CAUSE_CLONE, child);
	if (!e)
		return 0;
	e->pid = cpid;
	e->tid = ctid;
	copy_set(e->ns_old, pset.ns);
	copy_set(e->ns_new, cset.ns);
	copy_set(e->ns_home, h.ns);
	e->changed_mask = ns_diff(pset.ns, cset.ns);
	e->tainted_mask = ns_diff(cset.ns, h.ns);
	e->parent_tid = ptid;
	e->clone_flags = clone_flags;
	e->flags = thread ? 0 : NSTAINT_F_NEW_PROCESS;
	if (pt) {
		e->owner_id = pt->owner_id;
		e->owner_kind = pt->owner_kind;
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *t, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	__u32 pid = t->tgid, tid = t->pid, old = old_pid;
	struct nstaint_exec_notice *n;
	struct nstaint_file_key fk = {};
	struct nstaint_goproc *gp;
	struct nstaint_home h;

	/* design.md: the home set is the set at exec. */
	read_ns(t, h.ns);
	bpf_map_update_elem(&homes, &pid, &h, BPF_ANY);
	tainted_del(tid);
	tainted_del(old);
	fk.dev = BPF_CORE_READ(bprm, file, f_inode, i_sb, s_dev);
	fk.ino = BPF_CORE_READ(bprm, file, f_inode, i_ino);
	gp = bpf_map_lookup_elem(&gobins, &fk);
	if (gp) {
		bpf_map_update_elem(&goprocs, &pid, gp, BPF_ANY);
		return 0;
	}
	bpf_map_delete_elem(&goprocs, &pid);
	if (!followed(pid))
		return 0;
	n = bpf_ringbuf_reserve(&execs, sizeof(*n), 0);
	if (!n) {
		count_lost();
		return 0;
	}
	n->pid = pid;
	n->pad = 0;
	bpf_ringbuf_submit(n, 0);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_exit, struct task_struct *t)
{
	__u32 pid = t->tgid, tid = t->pid;
	struct nstaint_tainted *tt = bpf_map_lookup_elem(&tainted, &tid);
	struct nstaint_home *home;
	struct nstaint_event *e;

	if (tt) {
		if (followed(pid)) {
			e = ev_new(NSTAINT_EV_THREAD_EXIT, NSTAINT_CAUSE_EXIT, t);
			if (e) {
				read_ns(t, e->ns_new);
				home = bpf_map_lookup_elem(&homes, &pid);
				if (home)
					copy_set(e->ns_home, home->ns);
				e->tainted_mask = tt->mask;
				e->owner_id = tt->owner_id;
				e->owner_kind = tt->owner_kind;
				bpf_ringbuf_submit(e, 0);
			}
		}
		tainted_del(tid);
	}
	if (BPF_CORE_READ(t, signal, live.counter) == 0) {
		bpf_map_delete_elem(&homes, &pid);
		bpf_map_delete_elem(&goprocs, &pid);
	}
	return 0;
}

/*
 * Hot path: every context switch.  current == prev, so a tainted thread's
 * user memory (its TLS and g) can be read here.
 */
SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev)
{
	struct nstaint_seen_key key = {};
	struct nstaint_tainted *tt;
	struct nstaint_home *home;
	struct nstaint_event *e;
	__u64 goid = 0, one = 1, *cnt;
	bool locked = false;
	__u32 kind, tid;

	if (!ntainted)
		return 0;
	tid = prev->pid;
	tt = bpf_map_lookup_elem(&tainted, &tid);
	if (!tt)
		return 0;
	kind = go_task(prev, tt->pid, &goid, &locked);
	if (kind == NSTAINT_TASK_NONE || locked)
		return 0;
	key.tid = tid;
	key.kind = kind;
	key.task_id = goid;
	key.since_ns = tt->since_ns;
	cnt = bpf_map_lookup_elem(&seen, &key);
	if (cnt) {
		__sync_fetch_and_add(cnt, 1);
		return 0;
	}
	bpf_map_update_elem(&seen, &key, &one, BPF_NOEXIST);
	if (!followed(tt->pid))
		return 0;
	e = ev_new(NSTAINT_EV_TASK_ON_TAINTED_THREAD, NSTAINT_CAUSE_SCHED, prev);
	if (!e)
		return 0;
	read_ns(prev, e->ns_new);
	home = bpf_map_lookup_elem(&homes, &tt->pid);
	if (home)
		copy_set(e->ns_home, home->ns);
	e->tainted_mask = tt->mask;
	e->count = 1;
	e->task_id = goid;
	e->task_kind = kind;
	e->owner_id = tt->owner_id;
	e->owner_kind = tt->owner_kind;
	bpf_ringbuf_submit(e, 0);
	return 0;
}
