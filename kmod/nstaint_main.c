// SPDX-License-Identifier: GPL-2.0-only
/*
 * nstaint.ko: report threads whose namespace set leaves their process's
 * home set, through /dev/nstaint, with the records of
 * include/nstaint/events.h (the same ones the BPF backend produces).
 *
 * Hooks:
 *   kprobe switch_task_namespaces  setns, unshare (and exit, ignored)
 *   kprobe commit_creds            user namespace changes
 *   tracepoint task_newtask        clone_from_tainted, new processes
 *   tracepoint sched_process_exec  the home set is the set at exec
 *   tracepoint sched_process_exit  thread_exit, per-process state freed
 *
 * Every hook runs with preemption disabled: nothing here sleeps, memory
 * is taken with GFP_ATOMIC and every lock is a spinlock.
 *
 * Home sets (design.md): a process's home set is the set it had at exec,
 * or at fork for a child that has not exec'd.  A process that was running
 * before the module was loaded gets one when it is first seen: the set
 * held by most of its threads; on a tie the parent's; then the leader's.
 * When a single-threaded process changes namespaces, the home set moves
 * with it (NSTAINT_F_HOME_MOVED) and nothing is tainted.
 *
 * Per-thread state is not kept: whether a thread is tainted is decided by
 * comparing its current set with its process's home set, so the only
 * state is one struct nst_proc per known process, freed when the last
 * thread of the process passes sched_process_exit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/tracepoint.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/wait.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/nsproxy.h>
#include <linux/cred.h>
#include <linux/user_namespace.h>
#include <linux/utsname.h>
#include <linux/ipc_namespace.h>
#include <linux/pid_namespace.h>
#include <linux/cgroup.h>
#include <linux/time_namespace.h>
#include <linux/ns_common.h>
#include <linux/hashtable.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/uaccess.h>
#include <linux/timekeeping.h>
#include <linux/syscalls.h>
#include <asm/syscall.h>
#include <net/net_namespace.h>

#include <nstaint/events.h>

static unsigned int ring_size = 4096;
module_param(ring_size, uint, 0444);
MODULE_PARM_DESC(ring_size, "records the ring buffer holds (2..1048576, default 4096)");

#define NST_RING_MIN	2
#define NST_RING_MAX	BIT(20)

/* One set of inodes, indexed by enum nstaint_ns. */
struct nst_set {
	u32 ino[NSTAINT_NS_COUNT];
};

/* A process we know the home set of; keyed by tgid. */
struct nst_proc {
	struct hlist_node node;
	pid_t tgid;
	struct nst_set home;
};

static DEFINE_HASHTABLE(nst_procs, 10);
static DEFINE_SPINLOCK(nst_procs_lock);	/* nst_procs and nst_nprocs */
static unsigned long nst_nprocs;

/*
 * The ring: @ring_size records, @head counts records written, @tail
 * records read (both only grow; index = counter % ring_size).  @lost
 * counts records dropped since the last `lost` record was queued.
 * Records are only queued while a reader has the device open.
 */
static struct nstaint_event *nst_ring;
static u64 nst_head, nst_tail, nst_lost;
static bool nst_reader;
static DEFINE_SPINLOCK(nst_ring_lock);
static DECLARE_WAIT_QUEUE_HEAD(nst_wait);

/* Statistics, shown in /sys/class/misc/nstaint/ without a reader. */
static atomic64_t nst_stat_type[NSTAINT_EV_TYPE_COUNT];
static atomic64_t nst_stat_dropped;	/* records lost to a full ring */
static atomic64_t nst_stat_nomem;	/* processes we could not track */

/* mnt_namespace is private to fs/; its first member is its ns_common. */
static u32 nst_mnt_inum(struct mnt_namespace *mnt)
{
	return mnt ? ((struct ns_common *)mnt)->inum : 0;
}

/* The set of @ns (may be NULL: all 0) with user namespace @user. */
static void nst_set_of(struct nst_set *s, struct nsproxy *ns,
		       struct user_namespace *user)
{
	memset(s, 0, sizeof(*s));
	s->ino[NSTAINT_NS_USER] = user ? user->ns.inum : 0;
	if (!ns)
		return;
	s->ino[NSTAINT_NS_MNT] = nst_mnt_inum(ns->mnt_ns);
	s->ino[NSTAINT_NS_NET] = ns->net_ns ? ns->net_ns->ns.inum : 0;
	s->ino[NSTAINT_NS_UTS] = ns->uts_ns ? ns->uts_ns->ns.inum : 0;
	s->ino[NSTAINT_NS_IPC] = ns->ipc_ns ? ns->ipc_ns->ns.inum : 0;
	s->ino[NSTAINT_NS_PID] = ns->pid_ns_for_children ?
				 ns->pid_ns_for_children->ns.inum : 0;
#ifdef CONFIG_CGROUPS
	s->ino[NSTAINT_NS_CGROUP] = ns->cgroup_ns ? ns->cgroup_ns->ns.inum : 0;
#endif
#ifdef CONFIG_TIME_NS
	s->ino[NSTAINT_NS_TIME] = ns->time_ns_for_children ?
				  ns->time_ns_for_children->ns.inum : 0;
#endif
}

/*
 * The set of task @t.  t->nsproxy is only stable under task_lock (it is
 * freed without RCU), t->real_cred under RCU.  Returns false for a task
 * that has already dropped its namespaces (exiting).
 */
static bool nst_set_of_task(struct task_struct *t, struct nst_set *s)
{
	struct user_namespace *user;
	bool ok;

	rcu_read_lock();
	user = __task_cred(t)->user_ns;
	task_lock(t);
	ok = !!t->nsproxy;
	nst_set_of(s, t->nsproxy, user);
	task_unlock(t);
	rcu_read_unlock();
	return ok;
}

static u32 nst_set_diff(const struct nst_set *a, const struct nst_set *b)
{
	u32 mask = 0;
	int i;

	for (i = 0; i < NSTAINT_NS_COUNT; i++)
		if (a->ino[i] && b->ino[i] && a->ino[i] != b->ino[i])
			mask |= NSTAINT_NS_BIT(i);
	return mask;
}

/* ---- the ring ---------------------------------------------------- */

static void nst_fill(struct nstaint_event *ev, u16 type, u16 cause,
		     struct task_struct *t)
{
	memset(ev, 0, sizeof(*ev));
	ev->version = NSTAINT_ABI_VERSION;
	ev->type = type;
	ev->size = sizeof(*ev);
	ev->cause = cause;
	ev->ts_ns = ktime_get_ns();
	ev->pid = task_tgid_nr(t);
	ev->tid = task_pid_nr(t);
	memcpy(ev->comm, t->comm, min(sizeof(ev->comm), sizeof(t->comm)));
	ev->comm[NSTAINT_COMM_LEN - 1] = '\0';
}

static void nst_fill_lost(struct nstaint_event *ev, u64 count)
{
	memset(ev, 0, sizeof(*ev));
	ev->version = NSTAINT_ABI_VERSION;
	ev->type = NSTAINT_EV_LOST;
	ev->size = sizeof(*ev);
	ev->ts_ns = ktime_get_ns();
	ev->count = count;
}

static inline u64 nst_used(void)
{
	return nst_head - nst_tail;
}

/*
 * Queue @ev.  A `lost` record carrying the count of records dropped so
 * far goes in first, so the reader learns of a gap where it happened;
 * that needs two free slots, otherwise @ev is dropped and counted too.
 * Invariant: records queued + records counted in `lost` records (queued
 * or still pending in nst_lost) == records submitted while a reader was
 * open.
 */
static void nst_submit(const struct nstaint_event *ev)
{
	unsigned long flags;
	bool wake = false;

	atomic64_inc(&nst_stat_type[ev->type]);
	spin_lock_irqsave(&nst_ring_lock, flags);
	if (!nst_reader)
		goto unlock;
	if (nst_used() + (nst_lost ? 2 : 1) > ring_size) {
		nst_lost++;
		atomic64_inc(&nst_stat_dropped);
		goto unlock;
	}
	if (nst_lost) {
		nst_fill_lost(&nst_ring[nst_head % ring_size], nst_lost);
		nst_head++;
		nst_lost = 0;
	}
	nst_ring[nst_head % ring_size] = *ev;
	nst_head++;
	wake = true;
unlock:
	spin_unlock_irqrestore(&nst_ring_lock, flags);
	/* Every caller runs in process context, outside any rq lock. */
	if (wake)
		wake_up_interruptible(&nst_wait);
}

/* ---- home sets ----------------------------------------------------- */

static struct nst_proc *nst_proc_find(pid_t tgid)
{
	struct nst_proc *p;

	hash_for_each_possible(nst_procs, p, node, tgid)
		if (p->tgid == tgid)
			return p;
	return NULL;
}

/* Record @home as the home set of @tgid (new or replaced). */
static void nst_proc_set_home(pid_t tgid, const struct nst_set *home)
{
	struct nst_proc *p, *fresh;
	unsigned long flags;

	fresh = kmalloc(sizeof(*fresh), GFP_ATOMIC);
	spin_lock_irqsave(&nst_procs_lock, flags);
	p = nst_proc_find(tgid);
	if (!p && fresh) {
		p = fresh;
		fresh = NULL;
		p->tgid = tgid;
		hash_add(nst_procs, &p->node, tgid);
		nst_nprocs++;
	}
	if (p)
		p->home = *home;
	else
		atomic64_inc(&nst_stat_nomem);
	spin_unlock_irqrestore(&nst_procs_lock, flags);
	kfree(fresh);
}

static bool nst_proc_get_home(pid_t tgid, struct nst_set *home)
{
	struct nst_proc *p;
	unsigned long flags;

	spin_lock_irqsave(&nst_procs_lock, flags);
	p = nst_proc_find(tgid);
	if (p)
		*home = p->home;
	spin_unlock_irqrestore(&nst_procs_lock, flags);
	return !!p;
}

static void nst_proc_forget(pid_t tgid)
{
	struct nst_proc *p;
	unsigned long flags;

	spin_lock_irqsave(&nst_procs_lock, flags);
	p = nst_proc_find(tgid);
	if (p) {
		hash_del(&p->node);
		nst_nprocs--;
	}
	spin_unlock_irqrestore(&nst_procs_lock, flags);
	kfree(p);
}

#define NST_VOTES	8	/* distinct sets counted; more are rare */

/*
 * Home set of a process that was running before we saw it exec or fork:
 * the set most of its threads hold; on a tie the parent's if it is one
 * of the tied sets; then the leader's.  Runs under RCU only (task_lock
 * of each thread in turn), so it may sleep nowhere.
 */
static void nst_home_guess(struct task_struct *leader, struct nst_set *home)
{
	struct nst_set sets[NST_VOTES], parent, cur;
	unsigned int votes[NST_VOTES] = { 0 };
	unsigned int n = 0, best = 0, i, ties = 0;
	struct task_struct *t;
	bool have_parent;

	rcu_read_lock();
	for_each_thread(leader, t) {
		if (!nst_set_of_task(t, &cur))
			continue;
		for (i = 0; i < n; i++)
			if (!memcmp(&sets[i], &cur, sizeof(cur)))
				break;
		if (i == n) {
			if (n == NST_VOTES)
				continue;
			sets[n++] = cur;
		}
		votes[i]++;
	}
	have_parent = nst_set_of_task(rcu_dereference(leader->real_parent),
				      &parent);
	rcu_read_unlock();

	if (!n) {
		nst_set_of_task(leader, home);
		return;
	}
	for (i = 0; i < n; i++)
		if (votes[i] > votes[best])
			best = i;
	for (i = 0; i < n; i++)
		if (votes[i] == votes[best])
			ties++;
	if (ties == 1) {
		*home = sets[best];
		return;
	}
	for (i = 0; have_parent && i < n; i++)
		if (votes[i] == votes[best] &&
		    !memcmp(&sets[i], &parent, sizeof(parent))) {
			*home = sets[i];
			return;
		}
	if (!nst_set_of_task(leader, home))
		*home = sets[best];
}

/* The home set of current's process, guessed and kept if unknown. */
static void nst_home_of_current(struct nst_set *home)
{
	pid_t tgid = task_tgid_nr(current);

	if (nst_proc_get_home(tgid, home))
		return;
	nst_home_guess(current->group_leader, home);
	nst_proc_set_home(tgid, home);
}

/* ---- events ------------------------------------------------------ */

static u16 nst_syscall_cause(void)
{
	struct pt_regs *regs = task_pt_regs(current);

	switch (syscall_get_nr(current, regs)) {
	case __NR_setns:
		return NSTAINT_CAUSE_SETNS;
	case __NR_unshare:
		return NSTAINT_CAUSE_UNSHARE;
	default:
		return NSTAINT_CAUSE_UNKNOWN;
	}
}

/*
 * current's set goes from @old to @new: emit ns_change, then
 * thread_tainted or thread_restored when its standing against the home
 * set changed.  A single-threaded process moves its home set instead.
 */
static void nst_changed(const struct nst_set *old, const struct nst_set *new,
			u16 cause)
{
	struct nstaint_event ev;
	struct nst_set home;
	u32 was, now;
	u32 flags = 0;

	if (!nst_set_diff(old, new))
		return;
	nst_home_of_current(&home);
	was = nst_set_diff(old, &home);
	if (get_nr_threads(current) <= 1) {
		home = *new;
		nst_proc_set_home(task_tgid_nr(current), &home);
		flags |= NSTAINT_F_HOME_MOVED;
	}
	now = nst_set_diff(new, &home);

	nst_fill(&ev, NSTAINT_EV_NS_CHANGE, cause, current);
	memcpy(ev.ns_old, old->ino, sizeof(ev.ns_old));
	memcpy(ev.ns_new, new->ino, sizeof(ev.ns_new));
	memcpy(ev.ns_home, home.ino, sizeof(ev.ns_home));
	ev.changed_mask = nst_set_diff(old, new);
	ev.tainted_mask = now;
	ev.flags = flags;
	nst_submit(&ev);

	if (!was && now)
		ev.type = NSTAINT_EV_THREAD_TAINTED;
	else if (was && !now)
		ev.type = NSTAINT_EV_THREAD_RESTORED;
	else
		return;
	nst_submit(&ev);
}

/* switch_task_namespaces(p, new): p is current (setns, unshare, exit). */
static int nst_switch_ns_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct task_struct *p = (struct task_struct *)regs->di;
	struct nsproxy *new = (struct nsproxy *)regs->si;
	struct user_namespace *user = current_user_ns();
	struct nst_set old_set, new_set;

	/* new == NULL is exit, reported by sched_process_exit. */
	if (p != current || !new || (p->flags & PF_KTHREAD))
		return 0;
	nst_set_of(&old_set, p->nsproxy, user);
	nst_set_of(&new_set, new, user);
	nst_changed(&old_set, &new_set, nst_syscall_cause());
	return 0;
}

/* commit_creds(new): current's user namespace may change. */
static int nst_commit_creds_pre(struct kprobe *kp, struct pt_regs *regs)
{
	const struct cred *new = (const struct cred *)regs->di;
	struct nst_set old_set, new_set;

	if ((current->flags & PF_KTHREAD) || !current->nsproxy ||
	    current_user_ns() == new->user_ns)
		return 0;
	nst_set_of(&old_set, current->nsproxy, current_user_ns());
	new_set = old_set;
	new_set.ino[NSTAINT_NS_USER] = new->user_ns->ns.inum;
	nst_changed(&old_set, &new_set, NSTAINT_CAUSE_CREDS);
	return 0;
}

static struct kprobe nst_kp_switch_ns = {
	.symbol_name = "switch_task_namespaces",
	.pre_handler = nst_switch_ns_pre,
};

static struct kprobe nst_kp_commit_creds = {
	.symbol_name = "commit_creds",
	.pre_handler = nst_commit_creds_pre,
};

/*
 * task_newtask runs in the parent (current) once the child is complete
 * but before it first runs.  A new process gets its home set here.
 */
static void nst_newtask(void *data, struct task_struct *child,
			unsigned long clone_flags)
{
	struct nst_set parent_set, child_set, home;
	struct nstaint_event ev;
	bool thread = clone_flags & CLONE_THREAD;
	u32 tainted;

	if ((current->flags & PF_KTHREAD) || (child->flags & PF_KTHREAD))
		return;
	if (!nst_set_of_task(current, &parent_set) ||
	    !nst_set_of_task(child, &child_set))
		return;
	nst_home_of_current(&home);
	if (!thread)
		nst_proc_set_home(task_tgid_nr(child), &child_set);
	tainted = nst_set_diff(&parent_set, &home);
	if (!tainted)
		return;

	nst_fill(&ev, NSTAINT_EV_CLONE_FROM_TAINTED, NSTAINT_CAUSE_CLONE,
		 child);
	memcpy(ev.ns_old, parent_set.ino, sizeof(ev.ns_old));
	memcpy(ev.ns_new, child_set.ino, sizeof(ev.ns_new));
	memcpy(ev.ns_home, home.ino, sizeof(ev.ns_home));
	ev.changed_mask = nst_set_diff(&parent_set, &child_set);
	ev.tainted_mask = nst_set_diff(&child_set, &home);
	ev.parent_tid = task_pid_nr(current);
	ev.clone_flags = clone_flags;
	if (!thread)
		ev.flags |= NSTAINT_F_NEW_PROCESS;
	nst_submit(&ev);
}

/* After exec the process is single-threaded and its set is home. */
static void nst_exec(void *data, struct task_struct *p, pid_t old_pid,
		     struct linux_binprm *bprm)
{
	struct nst_set set;

	if (nst_set_of_task(p, &set))
		nst_proc_set_home(task_tgid_nr(p), &set);
}

/*
 * sched_process_exit: current still holds its namespaces (they go in
 * exit_task_namespaces, later).  A tainted thread is reported; the last
 * thread of a process frees the process's state.
 */
static void nst_exit(void *data, struct task_struct *p)
{
	struct nst_set set, home;
	struct nstaint_event ev;
	pid_t tgid = task_tgid_nr(p);

	if (p->flags & PF_KTHREAD)
		return;
	if (nst_proc_get_home(tgid, &home) && nst_set_of_task(p, &set) &&
	    nst_set_diff(&set, &home)) {
		nst_fill(&ev, NSTAINT_EV_THREAD_EXIT, NSTAINT_CAUSE_EXIT, p);
		memcpy(ev.ns_old, set.ino, sizeof(ev.ns_old));
		memcpy(ev.ns_new, set.ino, sizeof(ev.ns_new));
		memcpy(ev.ns_home, home.ino, sizeof(ev.ns_home));
		ev.tainted_mask = nst_set_diff(&set, &home);
		nst_submit(&ev);
	}
	/* signal->live reached 0 in do_exit before this tracepoint. */
	if (atomic_read(&p->signal->live) == 0)
		nst_proc_forget(tgid);
}

struct nst_tp {
	const char *name;
	void *probe;
	struct tracepoint *tp;
	bool registered;
};

static struct nst_tp nst_tps[] = {
	{ .name = "task_newtask", .probe = nst_newtask },
	{ .name = "sched_process_exec", .probe = nst_exec },
	{ .name = "sched_process_exit", .probe = nst_exit },
};

static void nst_tp_lookup(struct tracepoint *tp, void *priv)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(nst_tps); i++)
		if (!strcmp(tp->name, nst_tps[i].name))
			nst_tps[i].tp = tp;
}

static void nst_tps_unregister(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(nst_tps); i++) {
		if (!nst_tps[i].registered)
			continue;
		tracepoint_probe_unregister(nst_tps[i].tp, nst_tps[i].probe,
					    NULL);
		nst_tps[i].registered = false;
	}
	/* No probe of ours runs once this returns. */
	tracepoint_synchronize_unregister();
}

static int nst_tps_register(void)
{
	int i, err;

	for_each_kernel_tracepoint(nst_tp_lookup, NULL);
	for (i = 0; i < ARRAY_SIZE(nst_tps); i++) {
		if (!nst_tps[i].tp) {
			pr_err("tracepoint %s not found\n", nst_tps[i].name);
			err = -ENOENT;
			goto unregister;
		}
		err = tracepoint_probe_register(nst_tps[i].tp,
						nst_tps[i].probe, NULL);
		if (err) {
			pr_err("tracepoint %s: error %d\n", nst_tps[i].name,
			       err);
			goto unregister;
		}
		nst_tps[i].registered = true;
	}
	return 0;

unregister:
	nst_tps_unregister();
	return err;
}

/* ---- /dev/nstaint -------------------------------------------------- */

static int nst_open(struct inode *inode, struct file *file)
{
	unsigned long flags;
	int err = 0;

	if ((file->f_flags & O_ACCMODE) != O_RDONLY)
		return -EINVAL;
	spin_lock_irqsave(&nst_ring_lock, flags);
	if (nst_reader) {
		err = -EBUSY;
	} else {
		nst_reader = true;
		nst_head = 0;
		nst_tail = 0;
		nst_lost = 0;
	}
	spin_unlock_irqrestore(&nst_ring_lock, flags);
	return err ? err : nonseekable_open(inode, file);
}

static int nst_release(struct inode *inode, struct file *file)
{
	unsigned long flags;

	spin_lock_irqsave(&nst_ring_lock, flags);
	nst_reader = false;
	spin_unlock_irqrestore(&nst_ring_lock, flags);
	return 0;
}

/* Take the oldest record, or a `lost` record for a gap at the end. */
static bool nst_take(struct nstaint_event *ev)
{
	unsigned long flags;
	bool got = true;

	spin_lock_irqsave(&nst_ring_lock, flags);
	if (nst_used()) {
		*ev = nst_ring[nst_tail % ring_size];
		nst_tail++;
	} else if (nst_lost) {
		nst_fill_lost(ev, nst_lost);
		nst_lost = 0;
	} else {
		got = false;
	}
	spin_unlock_irqrestore(&nst_ring_lock, flags);
	return got;
}

static bool nst_readable(void)
{
	unsigned long flags;
	bool ready;

	spin_lock_irqsave(&nst_ring_lock, flags);
	ready = nst_used() || nst_lost;
	spin_unlock_irqrestore(&nst_ring_lock, flags);
	return ready;
}

/* read() hands out whole records only; @count must hold at least one. */
static ssize_t nst_read(struct file *file, char __user *buf, size_t count,
			loff_t *ppos)
{
	struct nstaint_event ev;
	size_t done = 0;
	int err;

	if (count < sizeof(ev))
		return -EINVAL;
	while (!nst_readable()) {
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		err = wait_event_interruptible(nst_wait, nst_readable());
		if (err)
			return err;
	}
	while (count - done >= sizeof(ev) && nst_take(&ev)) {
		if (copy_to_user(buf + done, &ev, sizeof(ev)))
			return done ? done : -EFAULT;
		done += sizeof(ev);
	}
	return done;
}

static __poll_t nst_poll(struct file *file, poll_table *wait)
{
	poll_wait(file, &nst_wait, wait);
	return nst_readable() ? EPOLLIN | EPOLLRDNORM : 0;
}

static const struct file_operations nst_fops = {
	.owner = THIS_MODULE,
	.open = nst_open,
	.release = nst_release,
	.read = nst_read,
	.poll = nst_poll,
	.llseek = no_llseek,
};

/* ---- statistics: /sys/class/misc/nstaint/ ---------------------------- */

static ssize_t events_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	static const char * const names[NSTAINT_EV_TYPE_COUNT] = {
		[NSTAINT_EV_NS_CHANGE] = "ns_change",
		[NSTAINT_EV_THREAD_TAINTED] = "thread_tainted",
		[NSTAINT_EV_THREAD_RESTORED] = "thread_restored",
		[NSTAINT_EV_CLONE_FROM_TAINTED] = "clone_from_tainted",
		[NSTAINT_EV_TASK_ON_TAINTED_THREAD] = "task_on_tainted_thread",
		[NSTAINT_EV_THREAD_EXIT] = "thread_exit",
	};
	int len = 0, i;

	for (i = 0; i < NSTAINT_EV_TYPE_COUNT; i++)
		if (names[i])
			len += sysfs_emit_at(buf, len, "%s %lld\n", names[i],
					     atomic64_read(&nst_stat_type[i]));
	return len;
}
static DEVICE_ATTR_RO(events);

static ssize_t dropped_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(&nst_stat_dropped));
}
static DEVICE_ATTR_RO(dropped);

static ssize_t untracked_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(&nst_stat_nomem));
}
static DEVICE_ATTR_RO(untracked);

static ssize_t ring_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	unsigned long flags;
	u64 used;
	bool reader;

	spin_lock_irqsave(&nst_ring_lock, flags);
	used = nst_used();
	reader = nst_reader;
	spin_unlock_irqrestore(&nst_ring_lock, flags);
	return sysfs_emit(buf, "size %u\nused %llu\nreader %d\n", ring_size,
			  used, reader);
}
static DEVICE_ATTR_RO(ring);

static ssize_t processes_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	unsigned long flags, n;

	spin_lock_irqsave(&nst_procs_lock, flags);
	n = nst_nprocs;
	spin_unlock_irqrestore(&nst_procs_lock, flags);
	return sysfs_emit(buf, "%lu\n", n);
}
static DEVICE_ATTR_RO(processes);

static struct attribute *nst_attrs[] = {
	&dev_attr_events.attr,
	&dev_attr_dropped.attr,
	&dev_attr_untracked.attr,
	&dev_attr_ring.attr,
	&dev_attr_processes.attr,
	NULL,
};
ATTRIBUTE_GROUPS(nst);

static struct miscdevice nst_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "nstaint",
	.fops = &nst_fops,
	.mode = 0600,
	.groups = nst_groups,
};

/* ---- load and unload ----------------------------------------------- */

static void nst_procs_free(void)
{
	struct hlist_node *tmp;
	struct nst_proc *p;
	int bkt;

	hash_for_each_safe(nst_procs, bkt, tmp, p, node) {
		hash_del(&p->node);
		kfree(p);
	}
	nst_nprocs = 0;
}

static int __init nst_init(void)
{
	int err;

	if (ring_size < NST_RING_MIN || ring_size > NST_RING_MAX) {
		pr_err("ring_size %u out of range %u..%u\n", ring_size,
		       NST_RING_MIN, NST_RING_MAX);
		return -EINVAL;
	}
	nst_ring = vmalloc(array_size(ring_size, sizeof(*nst_ring)));
	if (!nst_ring)
		return -ENOMEM;

	err = nst_tps_register();
	if (err)
		goto free_ring;
	err = register_kprobe(&nst_kp_switch_ns);
	if (err) {
		pr_err("kprobe switch_task_namespaces: error %d\n", err);
		goto unregister_tps;
	}
	err = register_kprobe(&nst_kp_commit_creds);
	if (err) {
		pr_err("kprobe commit_creds: error %d\n", err);
		goto unregister_switch_ns;
	}
	err = misc_register(&nst_dev);
	if (err)
		goto unregister_commit_creds;
	pr_info("loaded, ring of %u records\n", ring_size);
	return 0;

unregister_commit_creds:
	unregister_kprobe(&nst_kp_commit_creds);
unregister_switch_ns:
	unregister_kprobe(&nst_kp_switch_ns);
unregister_tps:
	nst_tps_unregister();
	nst_procs_free();
free_ring:
	vfree(nst_ring);
	return err;
}

/*
 * The device goes first: the open file pins the module, so no reader is
 * left.  Then the hooks; unregister_kprobe and
 * tracepoint_synchronize_unregister wait until no handler runs, after
 * which the state can go.
 */
static void __exit nst_exit_module(void)
{
	misc_deregister(&nst_dev);
	unregister_kprobe(&nst_kp_commit_creds);
	unregister_kprobe(&nst_kp_switch_ns);
	nst_tps_unregister();
	nst_procs_free();
	vfree(nst_ring);
	pr_info("unloaded\n");
}

module_init(nst_init);
module_exit(nst_exit_module);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("nstaint");
MODULE_DESCRIPTION("Report threads left in a namespace other than their process's");
