// SPDX-License-Identifier: GPL-2.0-only
/*
 * nstaint BPF side: follows every thread's namespace set across setns(2),
 * unshare(2), clone and exit, and reports the records of
 * include/nstaint/events.h through one ring buffer.
 *
 * State invariants:
 *  - threads[tid] holds the last namespace set seen for a thread that has
 *    called setns/unshare (seeded at sys_enter when unknown) or was cloned
 *    from a tainted thread.  It is deleted when the thread exits.
 *  - homes[pid] holds the process home set: seeded by userspace from the
 *    /proc snapshot, reset at exec, copied at fork, moved when a
 *    single-threaded process changes namespaces as a whole.
 *  - A record that cannot be reserved is counted in lost[] and reported by
 *    userspace as a `lost` record: nothing is dropped silently.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <nstaint/events.h>

#define CLONE_THREAD	0x00010000

char LICENSE[] SEC("license") = "GPL";

/* Only report processes whose tgid is in follow[] (trace -- CMD, -p). */
const volatile bool follow_only = false;
/*
 * Stop each followed process at exec until userspace has checked whether
 * it is a Go binary (it sends SIGCONT): otherwise a program that unshares
 * right after exec races the check and its goroutines go unnamed.
 */
const volatile bool hold_exec = false;

#define SIGSTOP		19

struct ns_set {
	__u32 ino[NSTAINT_NS_COUNT];
};

struct thread_state {
	struct ns_set ns;
	__u32 tainted_mask;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct thread_state);
} threads SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct ns_set);
} homes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u8);
} follow SEC(".maps");

/* Where runtime.g keeps goid and lockedm; set per Go process by userspace. */
struct go_offsets {
	__u32 goid;
	__u32 lockedm;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct go_offsets);
} goprocs SEC(".maps");

struct task_key {
	__u32 tid;
	__u32 pad;
	__u64 task_id;
};

/* (tid, goid) pairs already reported, with how often each was seen. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct task_key);
	__type(value, __u64);
} seen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);	/* resized by userspace */
} events SEC(".maps");

/*
 * Pids that just exec'd, for userspace to check for a Go binary before the
 * program gets to its first setns/unshare.  Internal to the BPF backend,
 * not an ABI record; a dropped pid only means goroutines are not named.
 */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} execs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

static __always_inline void read_ns_set(struct task_struct *t,
					struct ns_set *s)
{
	struct nsproxy *nsp = BPF_CORE_READ(t, nsproxy);

	__builtin_memset(s, 0, sizeof(*s));
	if (nsp) {
		s->ino[NSTAINT_NS_MNT] = BPF_CORE_READ(nsp, mnt_ns, ns.inum);
		s->ino[NSTAINT_NS_NET] = BPF_CORE_READ(nsp, net_ns, ns.inum);
		s->ino[NSTAINT_NS_UTS] = BPF_CORE_READ(nsp, uts_ns, ns.inum);
		s->ino[NSTAINT_NS_IPC] = BPF_CORE_READ(nsp, ipc_ns, ns.inum);
		s->ino[NSTAINT_NS_CGROUP] =
			BPF_CORE_READ(nsp, cgroup_ns, ns.inum);
		s->ino[NSTAINT_NS_TIME] =
			BPF_CORE_READ(nsp, time_ns_for_children, ns.inum);
		s->ino[NSTAINT_NS_PID] =
			BPF_CORE_READ(nsp, pid_ns_for_children, ns.inum);
	}
	s->ino[NSTAINT_NS_USER] = BPF_CORE_READ(t, cred, user_ns, ns.inum);
}

/*
 * Bit i set iff the sets differ in namespace i.  Branch-free on purpose: a
 * branch per namespace doubles the paths the verifier walks for each
 * ns_diff, and 6.1's verifier, which prunes less than newer ones, gives
 * up on exit_setns (over 1M instructions, E2BIG) with the branchy loop.
 * For a 32-bit x, (x + 0xffffffff) >> 32 is 1 iff x != 0.
 */
static __always_inline __u32 ns_diff(const struct ns_set *a,
				     const struct ns_set *b)
{
	__u32 mask = 0;

	for (int i = 0; i < NSTAINT_NS_COUNT; i++) {
		__u64 x = a->ino[i] ^ b->ino[i];

		mask |= (__u32)((x + 0xffffffffULL) >> 32) << i;
	}
	return mask;
}

static __always_inline bool followed(__u32 pid)
{
	return !follow_only || bpf_map_lookup_elem(&follow, &pid);
}

static __always_inline void count_lost(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&lost, &zero);

	if (n)
		(*n)++;
}

/* Reserve and fill the common header; NULL (and counted) when full. */
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

static __always_inline void ev_sets(struct nstaint_event *e,
				    const struct ns_set *old,
				    const struct ns_set *new,
				    const struct ns_set *home)
{
	__builtin_memcpy(e->ns_old, old->ino, sizeof(e->ns_old));
	__builtin_memcpy(e->ns_new, new->ino, sizeof(e->ns_new));
	if (home)
		__builtin_memcpy(e->ns_home, home->ino, sizeof(e->ns_home));
	e->changed_mask = ns_diff(old, new);
	e->tainted_mask = home ? ns_diff(new, home) : 0;
}

/*
 * The goroutine running on @t, which must be current (its user memory is
 * read): g = *(fsbase - 8) in pure-Go amd64 binaries.  0 on success.
 */
static __always_inline int read_go_task(struct task_struct *t,
					const struct go_offsets *off,
					__u64 *goid, __u64 *lockedm)
{
	__u64 fsbase = BPF_CORE_READ(t, thread.fsbase), g = 0;

	if (!fsbase ||
	    bpf_probe_read_user(&g, sizeof(g), (void *)(fsbase - 8)) || !g)
		return -1;
	if (bpf_probe_read_user(goid, sizeof(*goid), (void *)(g + off->goid)) ||
	    bpf_probe_read_user(lockedm, sizeof(*lockedm),
				(void *)(g + off->lockedm)))
		return -1;
	return 0;
}

/* Remember the set a thread had before its first setns/unshare. */
static __always_inline int seed_thread(void)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id, pid = id >> 32;
	struct thread_state st = {};
	struct ns_set *home;

	if (bpf_map_lookup_elem(&threads, &tid))
		return 0;
	read_ns_set(t, &st.ns);
	home = bpf_map_lookup_elem(&homes, &pid);
	if (!home) {
		/* Unknown process (started between snapshot and attach):
		 * take its current set as home. */
		bpf_map_update_elem(&homes, &pid, &st.ns, BPF_NOEXIST);
	} else {
		st.tainted_mask = ns_diff(&st.ns, home);
	}
	bpf_map_update_elem(&threads, &tid, &st, BPF_NOEXIST);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_setns")
int enter_setns(void *ctx)
{
	return seed_thread();
}

SEC("tracepoint/syscalls/sys_enter_unshare")
int enter_unshare(void *ctx)
{
	return seed_thread();
}

static __always_inline int on_exit(long ret, __u16 cause)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id, pid = id >> 32;
	__u64 goid = 0, lockedm = 0;
	struct thread_state *st;
	struct nstaint_event *e;
	struct ns_set new, *home;
	struct go_offsets *off;
	__u32 was, now;
	bool single;

	st = bpf_map_lookup_elem(&threads, &tid);
	if (!st)
		return 0;
	read_ns_set(t, &new);
	if (!ns_diff(&st->ns, &new))
		return 0;
	home = bpf_map_lookup_elem(&homes, &pid);
	if (!home)
		return 0;

	/* A single-threaded process that changes namespaces moved as a
	 * whole: its home moves with it and it is never tainted by it. */
	single = BPF_CORE_READ(t, signal, nr_threads) == 1;
	if (single)
		*home = new;

	if (followed(pid)) {
		e = ev_new(NSTAINT_EV_NS_CHANGE, cause, t);
		if (e) {
			ev_sets(e, &st->ns, &new, home);
			e->ret = ret;
			if (single)
				e->flags |= NSTAINT_F_HOME_MOVED;
			bpf_ringbuf_submit(e, 0);
		}
	}

	was = st->tainted_mask;
	now = ns_diff(&new, home);
	if (!was != !now && followed(pid)) {
		e = ev_new(now ? NSTAINT_EV_THREAD_TAINTED :
				 NSTAINT_EV_THREAD_RESTORED, cause, t);
		if (e) {
			ev_sets(e, &st->ns, &new, home);
			e->ret = ret;
			/* The owner: the goroutine that made the call. */
			off = bpf_map_lookup_elem(&goprocs, &pid);
			if (off && !read_go_task(t, off, &goid, &lockedm) &&
			    goid) {
				e->owner_kind = NSTAINT_TASK_GO;
				e->owner_id = goid;
				if (lockedm)
					e->flags |= NSTAINT_F_TASK_LOCKED;
			}
			bpf_ringbuf_submit(e, 0);
		}
	}
	st->ns = new;
	st->tainted_mask = now;
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_setns")
int exit_setns(struct trace_event_raw_sys_exit *ctx)
{
	return on_exit(ctx->ret, NSTAINT_CAUSE_SETNS);
}

SEC("tracepoint/syscalls/sys_exit_unshare")
int exit_unshare(struct trace_event_raw_sys_exit *ctx)
{
	return on_exit(ctx->ret, NSTAINT_CAUSE_UNSHARE);
}

/* exec: the process starts over with the set it has now as home. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	__u32 pid = BPF_CORE_READ(p, tgid), tid = BPF_CORE_READ(p, pid);
	struct ns_set s;
	__u32 *rec;

	read_ns_set(p, &s);
	bpf_map_update_elem(&homes, &pid, &s, BPF_ANY);
	bpf_map_delete_elem(&threads, &tid);
	bpf_map_delete_elem(&goprocs, &pid);
	if (!followed(pid))
		return 0;
	/*
	 * Stop before publishing: userspace may consume the record and send
	 * SIGCONT on another CPU at once, and a SIGSTOP sent after that would
	 * stick.  No record, no stop: nobody would resume the process.
	 */
	rec = bpf_ringbuf_reserve(&execs, sizeof(*rec), 0);
	if (!rec)
		return 0;
	*rec = pid;
	if (hold_exec)
		bpf_send_signal(SIGSTOP);
	bpf_ringbuf_submit(rec, 0);
	return 0;
}

/*
 * Runs in the parent (current) once the child's nsproxy and cred exist.
 * A new process gets its own home; a child of a tainted thread inherits
 * the taint and is reported.
 */
SEC("tp_btf/task_newtask")
int BPF_PROG(on_newtask, struct task_struct *p, u64 clone_flags)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 ptid = (__u32)id, ppid = id >> 32;
	__u32 cpid = BPF_CORE_READ(p, tgid), ctid = BPF_CORE_READ(p, pid);
	bool newproc = !(clone_flags & CLONE_THREAD);
	struct thread_state *pst, cst = {};
	struct nstaint_event *e;
	struct ns_set *phome;
	__u8 one = 1;

	if (newproc) {
		if (follow_only && bpf_map_lookup_elem(&follow, &ppid))
			bpf_map_update_elem(&follow, &cpid, &one, BPF_ANY);
		read_ns_set(p, &cst.ns);
		bpf_map_update_elem(&homes, &cpid, &cst.ns, BPF_ANY);
	}

	pst = bpf_map_lookup_elem(&threads, &ptid);
	if (!pst || !pst->tainted_mask)
		return 0;
	phome = bpf_map_lookup_elem(&homes, &ppid);

	if (!newproc) {
		/* A thread cloned from a tainted thread is tainted too. */
		read_ns_set(p, &cst.ns);
		cst.tainted_mask = phome ? ns_diff(&cst.ns, phome) : 0;
		bpf_map_update_elem(&threads, &ctid, &cst, BPF_ANY);
	}
	if (!followed(ppid))
		return 0;
	e = ev_new(NSTAINT_EV_CLONE_FROM_TAINTED, NSTAINT_CAUSE_CLONE, p);
	if (!e)
		return 0;
	read_ns_set(p, &cst.ns);
	ev_sets(e, &pst->ns, &cst.ns, phome);
	e->parent_tid = ptid;
	e->clone_flags = clone_flags;
	if (newproc)
		e->flags |= NSTAINT_F_NEW_PROCESS;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_exit_task, struct task_struct *p)
{
	__u32 pid = BPF_CORE_READ(p, tgid), tid = BPF_CORE_READ(p, pid);
	struct thread_state *st;
	struct nstaint_event *e;
	struct ns_set *home;

	st = bpf_map_lookup_elem(&threads, &tid);
	if (st) {
		if (st->tainted_mask && followed(pid)) {
			e = ev_new(NSTAINT_EV_THREAD_EXIT, NSTAINT_CAUSE_EXIT,
				   p);
			if (e) {
				home = bpf_map_lookup_elem(&homes, &pid);
				ev_sets(e, &st->ns, &st->ns, home);
				bpf_ringbuf_submit(e, 0);
			}
		}
		bpf_map_delete_elem(&threads, &tid);
	}
	/* signal->live reached 0 before this tracepoint: group is dead. */
	if (BPF_CORE_READ(p, signal, live.counter) == 0) {
		bpf_map_delete_elem(&homes, &pid);
		bpf_map_delete_elem(&follow, &pid);
	}
	return 0;
}

/*
 * Context switch: current == prev, so prev's user memory is readable.
 * The untainted path is one hash lookup.  On a tainted thread of a known Go
 * process, the running goroutine is g = *(fsbase - 8) (pure-Go amd64 TLS);
 * a goroutine with lockedm == 0 is not locked there: report it once per
 * (tid, goid) and count the later sightings.
 */
SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev,
	     struct task_struct *next)
{
	__u32 tid = BPF_CORE_READ(prev, pid), pid;
	struct thread_state *st;
	struct go_offsets *off;
	struct task_key key = {};
	struct nstaint_event *e;
	__u64 goid = 0, lockedm = 1, one = 1, *n;
	struct ns_set *home;

	st = bpf_map_lookup_elem(&threads, &tid);
	if (!st || !st->tainted_mask)
		return 0;
	pid = BPF_CORE_READ(prev, tgid);
	off = bpf_map_lookup_elem(&goprocs, &pid);
	if (!off)
		return 0;
	if (read_go_task(prev, off, &goid, &lockedm))
		return 0;
	/* Locked is the legal way to work in a namespace; goid 0 is the
	 * thread's scheduler stack (g0), not a user task. */
	if (lockedm || !goid)
		return 0;
	key.tid = tid;
	key.task_id = goid;
	n = bpf_map_lookup_elem(&seen, &key);
	if (n) {
		__sync_fetch_and_add(n, 1);
		return 0;
	}
	bpf_map_update_elem(&seen, &key, &one, BPF_NOEXIST);
	if (!followed(pid))
		return 0;
	e = ev_new(NSTAINT_EV_TASK_ON_TAINTED_THREAD, NSTAINT_CAUSE_SCHED,
		   prev);
	if (!e)
		return 0;
	home = bpf_map_lookup_elem(&homes, &pid);
	ev_sets(e, &st->ns, &st->ns, home);
	e->task_kind = NSTAINT_TASK_GO;
	e->task_id = goid;
	e->count = 1;
	bpf_ringbuf_submit(e, 0);
	return 0;
}
