// SPDX-License-Identifier: GPL-2.0-only
/*
 * nstaint BPF side: follows every thread's namespace set across setns(2),
 * unshare(2), clone and exit, and reports the records of
 * include/nstaint/events.h through one ring buffer.
 *
 * State invariants:
 *  - homes[pid] holds the process home set: seeded by userspace from the
 *    /proc snapshot (or at the first setns/unshare of a process started
 *    between snapshot and attach), reset at exec, set at fork, moved when a
 *    single-threaded process changes namespaces as a whole.
 *  - tainted[tid] exists iff the thread's set differs from its process's
 *    home set, and then holds that set.  So a thread with no entry has the
 *    home set: that is its "old" set at its next setns/unshare.  Entries
 *    are added by the thread itself (setns/unshare), by its creator (clone)
 *    or by userspace before attach; removed when it is restored, execs or
 *    exits.
 *  - ntainted == the number of entries in tainted[], exact: an entry is
 *    counted only by whoever inserted it (BPF_NOEXIST succeeded) and
 *    uncounted only by whoever deleted it (delete succeeded), with atomic
 *    adds.  Between a map update and its add another CPU can see the old
 *    count; that only delays reporting by one context switch.
 *  - A record that cannot be reserved, or a taint that does not fit in
 *    tainted[], is counted in lost[] by reason and reported by userspace
 *    as a `lost` record: nothing is dropped silently.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/usdt.bpf.h>
#include <nstaint/events.h>
#include <nstaint/nsdiff.h>
#include <nstaint/mn_abi.h>
#include <nstaint/taint.h>
#include <nstaint/goproc.h>

#define CLONE_THREAD	0x00010000
/* clone flags that give the child new namespaces (include/uapi/linux/sched.h) */
#define CLONE_NEW_ANY	(0x00000080 /* NEWTIME */ | 0x00020000 /* NEWNS */ | \
			 0x02000000 /* NEWCGROUP */ | 0x04000000 /* NEWUTS */ | \
			 0x08000000 /* NEWIPC */ | 0x10000000 /* NEWUSER */ | \
			 0x20000000 /* NEWPID */ | 0x40000000 /* NEWNET */)

/* One plain load the compiler may not merge or hoist (as in the kernel). */
#define READ_ONCE(x)	(*(const volatile typeof(x) *)&(x))

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

/*
 * The system call hook (syscall_check) is attached now; set by userspace,
 * which attaches it only while something is tainted
 * (user/nstaint/source/syscall_hook.c).
 */
__u32 sys_hook_on;
/*
 * A followed process whose first thread is tainted while the hook is off
 * is stopped, like hold_exec, until userspace attached it (thread_tainted
 * with NSTAINT_F_HELD; it sends SIGCONT): none of its calls is missed.
 */
const volatile bool hold_taint = false;

/* trace --exact: userspace hooks the dispatch of each tainted process. */
const volatile bool exact_dispatch = false;

/* --exact: processes whose dispatch is hooked now (set by userspace). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u8);
} dispatch_hooked SEC(".maps");

/* A new taint of @pid finds a hook it needs missing: hold the process. */
static __always_inline bool hook_missing(__u32 pid)
{
	return !READ_ONCE(sys_hook_on) ||
	       (exact_dispatch && !bpf_map_lookup_elem(&dispatch_hooked, &pid));
}

#define PF_KTHREAD	0x00200000

/*
 * Lazy mode (trace --lazy): no setns/unshare hook at all.  A thread's
 * namespace change is found at its next context switch (and at clone,
 * exec and exit, which it cannot pass without being seen), by comparing
 * its nsproxy and user_ns pointers with the last ones seen for it.
 */
const volatile bool lazy_ns = false;

struct ns_set {
	__u32 ino[NSTAINT_NS_COUNT];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct taint);
} tainted SEC(".maps");

/* Entries in tainted[]: sched_switch reads only this while it is 0. */
__u64 ntainted;
/* Last taint generation handed out (struct taint.gen). */
__u64 taint_gen;
/* Bumped after every insert into or delete from tainted[] (sysgate). */
__u64 taint_epoch;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct ns_set);
} homes SEC(".maps");

/*
 * Lazy mode: the namespace pointers a thread had when last seen.  Both
 * are replaced, never modified, when a namespace changes (nsproxy by
 * switch_task_namespaces, user_ns with the whole cred), so an unchanged
 * pair means unchanged namespaces and the inodes need not be read.  Task
 * storage: found from the task_struct, no hash lookup, freed with it.
 */
struct ns_ptrs {
	__u64 nsproxy;
	__u64 user_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct ns_ptrs);
} lastns SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u8);
} follow SEC(".maps");

/*
 * execd[pid]: when the process last exec'd.  Userspace symbolizes a
 * record's stack after the fact, from /proc/PID/maps: a record older than
 * the process's exec holds addresses of the image it no longer has.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u64);
} execd SEC(".maps");

/*
 * Where a Go process keeps g, goid and lockedm: set by userspace once it
 * has read the executable, or at exec from gobins[] if it read that file
 * before.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct go_offsets);
} goprocs SEC(".maps");

/*
 * The same by executable file, for the next exec of it: a Go program
 * started again (a CNI plugin, a test binary) has its goroutines named
 * from its first instruction, not from whenever userspace gets to it.
 * Userspace adds a file's entry under the key goexe[] recorded for the
 * process it read.  An evicted entry only means the file is read again.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, struct go_exe);
	__type(value, struct go_offsets);
} gobins SEC(".maps");

/* goexe[pid]: the file the process last exec'd (set at exec). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct go_exe);
} goexe SEC(".maps");

/*
 * libmn threads: tid -> address of the thread's struct mn_abi_slot in its
 * process.  Filled by userspace from the registry (threads started before
 * it looked) and by the libmn:thread_start probe (threads started after);
 * removed when the thread exits or execs.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u64);
} mnslots SEC(".maps");

/*
 * (taint, task, system call) triples already reported, with how often each
 * was seen.  A plain hash, never an LRU: an evicted entry of a live taint
 * would be reported again.  Entries of a taint are deleted when it ends,
 * by userspace after the record that ended it, each summed up in a
 * task_summary record; one that does not fit is counted as lost
 * (NSTAINT_LOST_SEEN_FULL).
 */
#define SEEN_MAX	32768

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SEEN_MAX);
	__type(key, struct seen_key);
	__type(value, struct seen_val);
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

/*
 * Report rings made by followed processes (libmn:ring_ready): a
 * struct nstaint_mnring_notice each, for userspace to open the ring at
 * once.  Internal to the BPF backend; a dropped notice is counted by
 * userspace's reader of the registry only (it finds the ring at the
 * process's first taint), so the ring stays small.
 */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 * 1024);
} mnrings SEC(".maps");

/*
 * lost[reason]: records dropped, per enum nstaint_lost_reason and per CPU;
 * userspace sums the CPUs and reports one `lost` record per reason.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NSTAINT_LOST_REASON_COUNT);
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
 * Bit i set iff the sets differ in namespace i, an unknown (0) inode
 * differing from nothing: include/nstaint/nsdiff.h, shared with the
 * module and userspace, and branch-free for 6.1's verifier (see there).
 */
static __always_inline __u32 ns_diff(const __u32 *a, const __u32 *b)
{
	return nstaint_ns_diff(a, b);
}

static __always_inline bool followed(__u32 pid)
{
	return !follow_only || bpf_map_lookup_elem(&follow, &pid);
}

/*
 * Count one record dropped for @reason (enum nstaint_lost_reason).  An
 * atomic add although the counter is per CPU: fentry/fexit and tracepoint
 * programs run preemptible, so another program can run on this CPU
 * between a plain load and store, and the program can move to another CPU
 * after the lookup, then adding to a slot that CPU's programs add to.
 */
static __always_inline void count_lost(__u32 reason)
{
	__u64 *n = bpf_map_lookup_elem(&lost, &reason);

	if (n)
		__sync_fetch_and_add(n, 1);
}

/*
 * Record @tid as tainted with set @ns (@mask != 0).  A thread already
 * tainted keeps its generation and owner: it is the same taint, moved.
 */
static __always_inline void taint_set(__u32 tid, const __u32 *ns, __u32 mask,
				      __u32 owner_kind, __u64 owner_id)
{
	struct taint *cur = bpf_map_lookup_elem(&tainted, &tid), tt = {};

	if (cur) {
		__builtin_memcpy(cur->ns, ns, sizeof(cur->ns));
		cur->mask = mask;
		return;
	}
	__builtin_memcpy(tt.ns, ns, sizeof(tt.ns));
	tt.mask = mask;
	tt.owner_kind = owner_kind;
	tt.owner_id = owner_id;
	tt.gen = __sync_fetch_and_add(&taint_gen, 1) + 1;
	if (bpf_map_update_elem(&tainted, &tid, &tt, BPF_NOEXIST)) {
		count_lost(NSTAINT_LOST_TAINTED_FULL);	/* this taint unseen */
	} else {
		__sync_fetch_and_add(&ntainted, 1);
		__sync_fetch_and_add(&taint_epoch, 1);
	}
}

/*
 * @tid is no longer tainted (restored, exec, exit).  Its seen[] entries
 * stay: userspace sums them up in task_summary records after the record
 * that ended the taint, and deletes them (user/nstaint/source/bpf_sweep.c).  Not
 * here, with a bpf_for_each_map_elem callback: on 6.1 its frame on top of
 * the programs' own (lazy_ns_check inlined) is over the 512-byte stack.
 */
static __always_inline void taint_del(__u32 tid)
{
	if (!bpf_map_delete_elem(&tainted, &tid)) {
		__sync_fetch_and_add(&ntainted, -1);
		__sync_fetch_and_add(&taint_epoch, 1);
	}
}

/* Reserve and fill the common header; NULL (and counted) when full. */
static __always_inline struct nstaint_event *
ev_new(__u16 type, __u16 cause, struct task_struct *t)
{
	struct nstaint_event *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_lost(NSTAINT_LOST_RINGBUF);
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->version = NSTAINT_ABI_VERSION;
	e->type = type;
	e->size = sizeof(*e);
	e->cause = cause;
	e->syscall_nr = -1;
	e->ts_ns = bpf_ktime_get_ns();
	e->pid = BPF_CORE_READ(t, tgid);
	e->tid = BPF_CORE_READ(t, pid);
	BPF_CORE_READ_STR_INTO(&e->comm, t, comm);
	return e;
}

static __always_inline void ev_sets(struct nstaint_event *e,
				    const __u32 *old, const __u32 *new,
				    const struct ns_set *home)
{
	__builtin_memcpy(e->ns_old, old, sizeof(e->ns_old));
	__builtin_memcpy(e->ns_new, new, sizeof(e->ns_new));
	if (home)
		__builtin_memcpy(e->ns_home, home->ino, sizeof(e->ns_home));
	e->changed_mask = ns_diff(old, new);
	e->tainted_mask = home ? ns_diff(new, home->ino) : 0;
}

/*
 * User stack of the current task's syscall (setns, unshare, or clone: the
 * parent's), innermost first.  On the sched_switch path only in lazy mode
 * and only for a namespace change: then it is where the thread entered
 * the kernel before being switched out.
 */
static __always_inline void ev_stack(void *ctx, struct nstaint_event *e)
{
	long n = bpf_get_stack(ctx, e->ustack, sizeof(e->ustack),
			       BPF_F_USER_STACK);

	if (n <= 0)
		return;
	e->stack_depth = n / sizeof(e->ustack[0]);
	/* A full buffer: there may have been more frames. */
	if (n == sizeof(e->ustack))
		e->flags |= NSTAINT_F_STACK_TRUNC;
}

/*
 * The goroutine running on @t, which must be current (its user memory is
 * read): g = *(fsbase + tls_g), -8 in pure-Go amd64 binaries, inside the
 * executable's PT_TLS block in cgo ones (userspace computes it).
 * 0 on success.
 */
static __always_inline int read_go_task(struct task_struct *t,
					const struct go_offsets *off,
					__u64 *goid, __u64 *lockedm)
{
	__u64 fsbase = BPF_CORE_READ(t, thread.fsbase), g = 0;

	if (!fsbase || bpf_probe_read_user(&g, sizeof(g),
					   (void *)(fsbase + off->tls_g)) ||
	    !g)
		return -1;
	if (bpf_probe_read_user(goid, sizeof(*goid), (void *)(g + off->goid)) ||
	    bpf_probe_read_user(lockedm, sizeof(*lockedm),
				(void *)(g + off->lockedm)))
		return -1;
	return 0;
}

/*
 * The libmn task in the slot at @addr, of a thread that is current (it is
 * not writing its slot now).  A slot caught mid-update by a preemption
 * (odd seq) names nobody.  0 on success.
 */
static __always_inline int read_mn_task(__u64 addr, __u64 *id, bool *locked)
{
	struct mn_abi_slot s;

	if (bpf_probe_read_user(&s, sizeof(s), (void *)addr) ||
	    s.magic != MN_ABI_SLOT_MAGIC || s.version != MN_ABI_VERSION ||
	    (s.seq & 1))
		return -1;
	*id = s.task_id;
	*locked = s.locked != 0;
	return 0;
}

/*
 * The user task running on thread @t (current, @tid) of process @pid, and
 * whether it is locked there: its enum nstaint_task_kind, NONE if unknown
 * or if the thread runs its scheduler (task 0, Go's g0).
 */
static __always_inline __u32 running_task(struct task_struct *t, __u32 pid,
					  __u32 tid, __u64 *id, bool *locked)
{
	__u64 *slot = bpf_map_lookup_elem(&mnslots, &tid);
	struct go_offsets *off;
	__u64 lockedm = 0;

	if (slot)
		return read_mn_task(*slot, id, locked) || !*id ?
		       NSTAINT_TASK_NONE : NSTAINT_TASK_LIBMN;
	off = bpf_map_lookup_elem(&goprocs, &pid);
	if (!off || read_go_task(t, off, id, &lockedm) || !*id)
		return NSTAINT_TASK_NONE;
	*locked = lockedm != 0;
	return NSTAINT_TASK_GO;
}

/*
 * libmn:thread_start(tid, slot): a libmn thread and its slot, at birth.
 * libmn fires it on the new thread itself, so a @tid other than the
 * current thread's is a forgery (any code in the probed file can fire the
 * probe) that would hide another thread's tasks: ignored.
 */
SEC("usdt")
int BPF_USDT(mn_thread_start, long tid, long slot)
{
	__u32 key = tid;
	__u64 addr = slot;

	if (key != (__u32)bpf_get_current_pid_tgid() || tid != key)
		return 0;
	bpf_map_update_elem(&mnslots, &key, &addr, BPF_ANY);
	return 0;
}

/*
 * libmn:ring_ready(fd, addr, nrec): the process published its report ring
 * (include/nstaint/mn_ring.h) at fd @fd.  Userspace opens it through
 * /proc/PID/fd and trusts nothing of it; the probe only says when.
 */
SEC("usdt")
int BPF_USDT(mn_ring_ready, long fd, long addr, long nrec)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct nstaint_mnring_notice *n;

	if (!followed(pid) || fd < 0 || fd > 0x7fffffff)
		return 0;
	n = bpf_ringbuf_reserve(&mnrings, sizeof(*n), 0);
	if (!n)
		return 0;
	n->pid = pid;
	n->fd = fd;
	bpf_ringbuf_submit(n, 0);
	return 0;
}

/*
 * A process started between the snapshot and attach has no home yet: its
 * set at its first setns/unshare is the best guess.
 */
static __always_inline int seed_home(void)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct ns_set s;

	if (bpf_map_lookup_elem(&homes, &pid))
		return 0;
	read_ns_set(t, &s);
	bpf_map_update_elem(&homes, &pid, &s, BPF_NOEXIST);
	return 0;
}

static __always_inline int ns_syscall_exit(void *ctx, long ret,
					   __u16 cause)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	__u64 id = bpf_get_current_pid_tgid(), task = 0;
	__u32 tid = (__u32)id, pid = id >> 32, now, kind = 0;
	struct nstaint_event *e;
	struct ns_set new, old, *home;
	struct taint *tt;
	bool single, locked = false;

	home = bpf_map_lookup_elem(&homes, &pid);
	if (!home)
		return 0;
	tt = bpf_map_lookup_elem(&tainted, &tid);
	/* No entry: the thread had the home set (invariant above). */
	if (tt)
		__builtin_memcpy(old.ino, tt->ns, sizeof(old.ino));
	else
		old = *home;
	read_ns_set(t, &new);
	if (!ns_diff(old.ino, new.ino))
		return 0;

	/*
	 * A single-threaded process that changes namespaces moved as a
	 * whole: its home moves with it and it is never tainted by it.
	 */
	single = BPF_CORE_READ(t, signal, nr_threads) == 1;
	if (single)
		*home = new;
	now = ns_diff(new.ino, home->ino);
	if (now && !tt)		/* the owner: the task making the call */
		kind = running_task(t, pid, tid, &task, &locked);

	if (followed(pid)) {
		e = ev_new(NSTAINT_EV_NS_CHANGE, cause, t);
		if (e) {
			ev_sets(e, old.ino, new.ino, home);
			e->ret = ret;
			if (single)
				e->flags |= NSTAINT_F_HOME_MOVED;
			ev_stack(ctx, e);
			bpf_ringbuf_submit(e, 0);
		}
	}
	/*
	 * Counted in ntainted (a locked add: a full barrier) before
	 * hook_missing reads sys_hook_on, while userspace clears
	 * sys_hook_on before it reads ntainted to detach the hook
	 * (syscall_hook.c): one of the two sees the other, so a new taint
	 * is never left both unheld and unhooked.  Only @tt's nullness is
	 * used below.
	 */
	if (now)
		taint_set(tid, new.ino, now, kind, task);
	else if (tt)
		taint_del(tid);
	if (!tt != !now && followed(pid)) {
		e = ev_new(now ? NSTAINT_EV_THREAD_TAINTED :
				 NSTAINT_EV_THREAD_RESTORED, cause, t);
		if (e) {
			ev_sets(e, old.ino, new.ino, home);
			e->ret = ret;
			e->owner_kind = kind;
			e->owner_id = task;
			if (kind && locked)
				e->flags |= NSTAINT_F_TASK_LOCKED;
			/* Stopped before published, as at exec. */
			if (now && hold_taint && hook_missing(pid) &&
			    !bpf_send_signal(SIGSTOP))
				e->flags |= NSTAINT_F_HELD;
			ev_stack(ctx, e);
			bpf_ringbuf_submit(e, 0);
		}
	}
	return 0;
}

/*
 * Lazy mode: @t is current (a switch's prev, or at clone, exec, exit).  If
 * its namespace pointers moved since it was last seen, do what the
 * setns/unshare exit does, with cause sched: the syscall and its return
 * value are unknown, the stack is where the thread entered the kernel,
 * and the owner is the task running now.  A thread first seen here has
 * no pointers yet: it is compared with its tainted[] or home set, so
 * only a real difference is reported.
 */
static __always_inline void lazy_ns_check(void *ctx, struct task_struct *t)
{
	struct ns_ptrs *last, now;

	/*
	 * @t is a trusted BTF pointer: plain loads (CO-RE relocated), no
	 * helper call, as this runs at every context switch.
	 */
	if (t->flags & PF_KTHREAD)
		return;
	now.nsproxy = (__u64)t->nsproxy;
	if (!now.nsproxy)	/* exiting: its namespaces are gone */
		return;
	now.user_ns = (__u64)t->cred->user_ns;
	last = bpf_task_storage_get(&lastns, t, NULL,
				    BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!last || (last->nsproxy == now.nsproxy &&
		      last->user_ns == now.user_ns))
		return;
	*last = now;
	/* Started between snapshot and attach: its set now is its home. */
	seed_home();
	ns_syscall_exit(ctx, 0, NSTAINT_CAUSE_SCHED);
}

/*
 * setns/unshare: fentry/fexit on the syscall functions cost nothing to the
 * other syscalls.  The syscall tracepoints below are the fallback where
 * there is no BPF trampoline: enabling any syscall tracepoint sends every
 * syscall of every task through the slow path (+12-20% on a getppid loop).
 * The loader enables one pair or the other.
 */
SEC("fentry/__x64_sys_setns")
int BPF_PROG(fentry_setns)
{
	return seed_home();
}

SEC("fexit/__x64_sys_setns")
int BPF_PROG(fexit_setns, struct pt_regs *regs, long ret)
{
	return ns_syscall_exit(ctx, ret, NSTAINT_CAUSE_SETNS);
}

SEC("fentry/__x64_sys_unshare")
int BPF_PROG(fentry_unshare)
{
	return seed_home();
}

SEC("fexit/__x64_sys_unshare")
int BPF_PROG(fexit_unshare, struct pt_regs *regs, long ret)
{
	return ns_syscall_exit(ctx, ret, NSTAINT_CAUSE_UNSHARE);
}

SEC("tracepoint/syscalls/sys_enter_setns")
int enter_setns(void *ctx)
{
	return seed_home();
}

SEC("tracepoint/syscalls/sys_enter_unshare")
int enter_unshare(void *ctx)
{
	return seed_home();
}

SEC("tracepoint/syscalls/sys_exit_setns")
int exit_setns(struct trace_event_raw_sys_exit *ctx)
{
	return ns_syscall_exit(ctx, ctx->ret, NSTAINT_CAUSE_SETNS);
}

SEC("tracepoint/syscalls/sys_exit_unshare")
int exit_unshare(struct trace_event_raw_sys_exit *ctx)
{
	return ns_syscall_exit(ctx, ctx->ret, NSTAINT_CAUSE_UNSHARE);
}

/*
 * A new program in @pid: its Go offsets are those of its file if
 * userspace has read that file before, else unknown until it does.
 */
static __always_inline void go_exec(__u32 pid, struct linux_binprm *bprm)
{
	struct inode *ino = BPF_CORE_READ(bprm, file, f_inode);
	struct go_offsets *off;
	struct go_exe x = {
		.ino = BPF_CORE_READ(ino, i_ino),
		.dev = BPF_CORE_READ(ino, i_sb, s_dev),
		.gen = BPF_CORE_READ(ino, i_generation),
	};

	bpf_map_update_elem(&goexe, &pid, &x, BPF_ANY);
	off = bpf_map_lookup_elem(&gobins, &x);
	if (off)
		bpf_map_update_elem(&goprocs, &pid, off, BPF_ANY);
	else
		bpf_map_delete_elem(&goprocs, &pid);
}

/*
 * exec: the process starts over with the set it has now as home.  So a
 * tainted thread that execs is restored by it (de_thread() has killed the
 * others, each reported at its exit): thread_restored of cause exec,
 * under the tid it was tainted with, @old_pid, since a non-leader takes
 * the leader's tid at exec.  Its set is unchanged: ns_old is the set it
 * was tainted with, ns_new the set it has, ns_home the new home.
 */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	__u32 pid = BPF_CORE_READ(p, tgid), tid = BPF_CORE_READ(p, pid);
	__u32 was = old_pid;
	__u64 now = bpf_ktime_get_ns();
	struct nstaint_event *e;
	struct taint *tt;
	struct ns_set s;
	__u32 *rec;

	/* A change before exec is reported before the home is reset. */
	if (lazy_ns)
		lazy_ns_check(ctx, p);
	read_ns_set(p, &s);
	bpf_map_update_elem(&homes, &pid, &s, BPF_ANY);
	bpf_map_update_elem(&execd, &pid, &now, BPF_ANY);
	tt = bpf_map_lookup_elem(&tainted, &was);
	if (tt && followed(pid)) {
		e = ev_new(NSTAINT_EV_THREAD_RESTORED, NSTAINT_CAUSE_EXEC, p);
		if (e) {
			ev_sets(e, tt->ns, s.ino, &s);
			e->tid = was;
			bpf_ringbuf_submit(e, 0);
		}
	}
	/* A non-leader that execs takes the leader's tid. */
	taint_del(tid);
	taint_del(old_pid);
	bpf_map_delete_elem(&mnslots, &tid);
	bpf_map_delete_elem(&mnslots, &old_pid);
	if (!followed(pid)) {
		bpf_map_delete_elem(&goprocs, &pid);
		return 0;
	}
	/* Only a followed process's goroutines are ever named. */
	go_exec(pid, bprm);
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
 * clone with CLONE_NEW* flags: the child starts in namespaces of its own.
 * A new process moved as a whole (its home is that set: ns_change with
 * home_moved); a new thread is tainted from birth, its owner that of the
 * parent's taint (@pt, NULL if the parent is not tainted): it runs what
 * that task set out to run there.  Reported on the child, ns_old being
 * the parent's set.
 */
static __always_inline void clone_new_ns(void *ctx, struct task_struct *p,
					 __u32 ptid, __u32 ppid,
					 const struct ns_set *cset,
					 bool newproc, u64 clone_flags,
					 const struct taint *pt)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	__u32 ctid = BPF_CORE_READ(p, pid), mask = 0;
	__u32 okind = pt ? pt->owner_kind : NSTAINT_TASK_NONE;
	__u64 oid = pt ? pt->owner_id : 0;
	struct nstaint_event *e;
	struct ns_set pset, *home;
	int i;

	read_ns_set(t, &pset);
	home = newproc ? (struct ns_set *)cset :
			 bpf_map_lookup_elem(&homes, &ppid);
	if (!home)
		return;
	if (!newproc) {
		mask = ns_diff(cset->ino, home->ino);
		if (mask)
			taint_set(ctid, cset->ino, mask, okind, oid);
	}
	if (!followed(ppid))
		return;
	for (i = 0; i < 2; i++) {
		if (i && !mask)
			break;
		e = ev_new(i ? NSTAINT_EV_THREAD_TAINTED : NSTAINT_EV_NS_CHANGE,
			   NSTAINT_CAUSE_CLONE, p);
		if (!e)
			continue;
		ev_sets(e, pset.ino, cset->ino, home);
		e->parent_tid = ptid;
		e->clone_flags = clone_flags;
		if (i) {
			e->owner_kind = okind;
			e->owner_id = oid;
		}
		if (newproc)
			e->flags |= NSTAINT_F_NEW_PROCESS | NSTAINT_F_HOME_MOVED;
		ev_stack(ctx, e);
		bpf_ringbuf_submit(e, 0);
	}
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
	struct nstaint_event *e;
	struct ns_set *phome, cset;
	struct taint *pt;
	__u32 mask;
	__u8 one = 1;

	/*
	 * The parent's own change first: a process that unshares and then
	 * creates a thread before any switch moved as a whole, and its
	 * home must have moved before the child is compared with it.
	 */
	if (lazy_ns)
		lazy_ns_check(ctx, bpf_get_current_task_btf());
	read_ns_set(p, &cset);
	if (newproc) {
		if (follow_only && bpf_map_lookup_elem(&follow, &ppid))
			bpf_map_update_elem(&follow, &cpid, &one, BPF_ANY);
		bpf_map_update_elem(&homes, &cpid, &cset, BPF_ANY);
	}
	pt = bpf_map_lookup_elem(&tainted, &ptid);
	if (clone_flags & CLONE_NEW_ANY)
		clone_new_ns(ctx, p, ptid, ppid, &cset, newproc, clone_flags,
			     pt);
	if (!pt)
		return 0;
	phome = bpf_map_lookup_elem(&homes, &ppid);

	if (!newproc && phome) {
		/* A thread cloned from a tainted thread is tainted too. */
		mask = ns_diff(cset.ino, phome->ino);
		if (mask)
			taint_set(ctid, cset.ino, mask, pt->owner_kind,
				  pt->owner_id);
	}
	if (!followed(ppid))
		return 0;
	e = ev_new(NSTAINT_EV_CLONE_FROM_TAINTED, NSTAINT_CAUSE_CLONE, p);
	if (!e)
		return 0;
	ev_sets(e, pt->ns, cset.ino, phome);
	e->parent_tid = ptid;
	e->clone_flags = clone_flags;
	if (newproc)
		e->flags |= NSTAINT_F_NEW_PROCESS;
	ev_stack(ctx, e);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_exit_task, struct task_struct *p)
{
	__u32 pid = BPF_CORE_READ(p, tgid), tid = BPF_CORE_READ(p, pid);
	struct nstaint_event *e;
	struct ns_set *home;
	struct taint *tt;

	if (lazy_ns)
		lazy_ns_check(ctx, p);
	tt = bpf_map_lookup_elem(&tainted, &tid);
	if (tt) {
		if (followed(pid)) {
			e = ev_new(NSTAINT_EV_THREAD_EXIT, NSTAINT_CAUSE_EXIT,
				   p);
			if (e) {
				home = bpf_map_lookup_elem(&homes, &pid);
				ev_sets(e, tt->ns, tt->ns, home);
				e->owner_kind = tt->owner_kind;
				e->owner_id = tt->owner_id;
				bpf_ringbuf_submit(e, 0);
			}
		}
		taint_del(tid);
	}
	bpf_map_delete_elem(&mnslots, &tid);
	return 0;
}

/*
 * The process's own entries go when its leader's task_struct is freed:
 * that happens only after every thread of the group was released, so
 * after each one passed sched_process_exit above, whose thread_exit
 * record needs follow[] and homes[].  Not at group death (signal->live
 * reaching 0): a thread that exits first but slowly can still be before
 * its exit tracepoint then (seen in the 6.1 VM: thread_exit lost when the
 * thread's CLONE_CHILD_CLEARTID wake-up let the process exit at once).
 * A non-leader that exec'd gave its tid to the old leader (exchange_tids),
 * so the old leader's free, which may come after the exec, is skipped.
 */
SEC("tp_btf/sched_process_free")
int BPF_PROG(on_free_task, struct task_struct *p)
{
	__u32 pid = BPF_CORE_READ(p, tgid);

	if (BPF_CORE_READ(p, pid) != pid)
		return 0;
	bpf_map_delete_elem(&homes, &pid);
	bpf_map_delete_elem(&follow, &pid);
	bpf_map_delete_elem(&goprocs, &pid);
	bpf_map_delete_elem(&goexe, &pid);
	bpf_map_delete_elem(&execd, &pid);
	return 0;
}

/*
 * Unlocked user task @task (@kind) seen on tainted thread @t (entry @tt)
 * of process @pid, making system call @nr (or SEEN_SWITCH, SEEN_DISPATCH).  A
 * new (taint, task, nr) gets a task_on_tainted_thread record, returned
 * reserved for the caller to complete and submit; a repeat is counted
 * (NULL).  When seen[] is full the sighting is counted as lost (SEEN_FULL):
 * never reported twice, never dropped silently.
 */
static __always_inline struct nstaint_event *
task_sighting(struct taint *tt, struct task_struct *t, __u32 pid, __u32 kind,
	      __u64 task, int nr)
{
	struct seen_key key = { .gen = tt->gen, .task_id = task, .nr = nr };
	struct seen_val v = {
		.count = 1, .pid = pid, .kind = kind,
		.tid = (__u32)bpf_get_current_pid_tgid(),
	}, *n;
	struct nstaint_event *e;
	struct ns_set *home;

	n = bpf_map_lookup_elem(&seen, &key);
	if (n) {
		__sync_fetch_and_add(&n->count, 1);
		return NULL;
	}
	if (bpf_map_update_elem(&seen, &key, &v, BPF_NOEXIST)) {
		count_lost(NSTAINT_LOST_SEEN_FULL);
		return NULL;
	}
	e = ev_new(NSTAINT_EV_TASK_ON_TAINTED_THREAD, seen_cause(nr), t);
	if (!e)
		return NULL;
	home = bpf_map_lookup_elem(&homes, &pid);
	ev_sets(e, tt->ns, tt->ns, home);
	e->task_kind = kind;
	e->task_id = task;
	e->owner_kind = tt->owner_kind;
	e->owner_id = tt->owner_id;
	e->syscall_nr = nr >= 0 ? nr : -1;
	e->count = 1;
	return e;
}

/*
 * Context switch: current == prev, so prev's user memory is readable.
 * Hot path: while nothing is tainted this is one load of ntainted; else
 * one lookup in tainted[], which holds only tainted threads.  On a tainted
 * thread, an unlocked user task (not the scheduler) is reported once per
 * taint and its later sightings are counted.  The sampled level: the
 * backstop for tasks that make no system call, and for the window before
 * the system call hook below is attached.
 */
SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev,
	     struct task_struct *next)
{
	struct nstaint_event *e;
	struct taint *tt;
	__u64 task = 0;
	bool locked = true;
	__u32 tid, pid, kind;

	if (lazy_ns)
		lazy_ns_check(ctx, prev);
	if (!READ_ONCE(ntainted))
		return 0;
	tid = BPF_CORE_READ(prev, pid);
	tt = bpf_map_lookup_elem(&tainted, &tid);
	if (!tt)
		return 0;
	pid = BPF_CORE_READ(prev, tgid);
	if (!followed(pid))
		return 0;
	kind = running_task(prev, pid, tid, &task, &locked);
	/* Locked is the legal way to work in a namespace. */
	if (!kind || locked)
		return 0;
	e = task_sighting(tt, prev, pid, kind, task, SEEN_SWITCH);
	if (e)
		bpf_ringbuf_submit(e, 0);
	return 0;
}

/*
 * sysgate: each task's last answer to "am I in tainted[]?", valid while
 * taint_epoch has not moved since.  Task storage, found from the
 * task_struct without hashing; written only by the task itself at its
 * system call entry.  tainted[] stays the one record of taint (no second
 * writer path): the gate only caches a reader's lookup.
 */
struct sysgate {
	__u64 epoch;
	__u64 tainted;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sysgate);
} sysgate SEC(".maps");

/*
 * System call entry, the harm's door: an unlocked user task making system
 * call @nr on a tainted thread is reported once per (taint, task, nr),
 * with its user stack; repeats are counted.  While nothing is tainted this
 * is one load.  Else, for a task whose gate says untainted since the last
 * change of tainted[], one task storage lookup; only a tainted task, or
 * the first call of each task after a change, looks up tainted[].  The
 * epoch is read before tainted[], and bumped after it changes: a gate
 * filled from a stale lookup carries a stale epoch and is filled again.
 */
static __always_inline int syscall_check(void *ctx, struct task_struct *t,
					 long nr)
{
	__u64 id, task = 0, epoch;
	struct nstaint_event *e;
	struct sysgate *g;
	struct taint *tt;
	bool locked = true;
	__u32 tid, pid, kind;

	if (!READ_ONCE(ntainted))
		return 0;
	epoch = READ_ONCE(taint_epoch);
	g = bpf_task_storage_get(&sysgate, t, NULL,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (g && g->epoch == epoch && !g->tainted)
		return 0;
	id = bpf_get_current_pid_tgid();
	tid = (__u32)id;
	tt = bpf_map_lookup_elem(&tainted, &tid);
	if (g) {
		g->epoch = epoch;
		g->tainted = tt != NULL;
	}
	if (!tt)
		return 0;
	pid = id >> 32;
	if (!followed(pid))
		return 0;
	kind = running_task(t, pid, tid, &task, &locked);
	if (!kind || locked)
		return 0;
	e = task_sighting(tt, t, pid, kind, task, nr);
	if (!e)
		return 0;
	ev_stack(ctx, e);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/*
 * Two forms of the same hook; the loader keeps one (tp_btf where the
 * kernel's BTF has the tracepoint, raw_tp elsewhere) and attaches it only
 * while something is tainted (user/nstaint/source/syscall_hook.c).
 */
SEC("tp_btf/sys_enter")
int BPF_PROG(tp_sys_enter, struct pt_regs *regs, long nr)
{
	return syscall_check(ctx, bpf_get_current_task_btf(), nr);
}

SEC("raw_tp/sys_enter")
int BPF_PROG(raw_sys_enter, struct pt_regs *regs, long nr)
{
	return syscall_check(ctx, bpf_get_current_task_btf(), nr);
}

/*
 * Exact level (trace --exact): the runtime's dispatch of a task onto a
 * thread, hooked by userspace only in processes that have a tainted
 * thread and only while they have one.  A task that makes no system call
 * is named when it is dispatched onto the tainted thread.
 */
static __always_inline int dispatch_check(struct task_struct *t, __u32 kind,
					  __u64 task, bool locked)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id, pid = id >> 32;
	struct nstaint_event *e;
	struct taint *tt;

	tt = bpf_map_lookup_elem(&tainted, &tid);
	if (!tt || !task || locked || !followed(pid))
		return 0;
	e = task_sighting(tt, t, pid, kind, task, SEEN_DISPATCH);
	if (e)
		bpf_ringbuf_submit(e, 0);
	return 0;
}

/*
 * Go: runtime.execute(gp *g, inheritTime bool) runs on the M (thread)
 * that is about to run gp, still on g0.  Go's amd64 register ABI (1.17
 * on; userspace checks the version) passes gp in RAX.
 */
SEC("uprobe")
int go_execute(struct pt_regs *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct go_offsets *off = bpf_map_lookup_elem(&goprocs, &pid);
	__u64 gp = ctx->ax, goid = 0, lockedm = 0;

	if (!off || !gp ||
	    bpf_probe_read_user(&goid, sizeof(goid), (void *)(gp + off->goid)) ||
	    bpf_probe_read_user(&lockedm, sizeof(lockedm),
				(void *)(gp + off->lockedm)))
		return 0;
	return dispatch_check(bpf_get_current_task_btf(), NSTAINT_TASK_GO,
			      goid, lockedm != 0);
}

/*
 * libmn:task_start(task, tid): a task's first dispatch, after its thread
 * published it in the slot (which says whether it is locked).
 */
SEC("usdt")
int BPF_USDT(mn_task_start, long task_id, long tid)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u64 id = bpf_get_current_pid_tgid(), task = 0;
	bool locked = false;
	__u32 kind;

	kind = running_task(t, id >> 32, (__u32)id, &task, &locked);
	if (kind != NSTAINT_TASK_LIBMN || task != (__u64)task_id)
		return 0;
	return dispatch_check(t, kind, task, locked);
}
