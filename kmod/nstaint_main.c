// SPDX-License-Identifier: GPL-2.0-only
/*
 * nstaint.ko: reports threads whose namespace set leaves their process's
 * home set, as struct nstaint_event records on /dev/nstaint.
 *
 * Hooks: a kprobe on switch_task_namespaces() (setns and unshare; new ==
 * NULL is exit and is ignored there), and the task_newtask and
 * sched_process_exit tracepoints.
 *
 * Invariant: all per-task and per-process state and the ring are guarded
 * by nst_lock, taken with irqsave; nothing under it sleeps or allocates
 * with anything but GFP_ATOMIC.
 */
#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/tracepoint.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/hashtable.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/nsproxy.h>
#include <linux/ns_common.h>
#include <linux/utsname.h>
#include <linux/ipc_namespace.h>
#include <linux/cgroup.h>
#include <linux/time_namespace.h>
#include <linux/pid_namespace.h>
#include <linux/user_namespace.h>
#include <linux/cred.h>
#include <net/net_namespace.h>
#include <nstaint/events.h>

static unsigned int bufsize = 4096;
module_param(bufsize, uint, 0444);
MODULE_PARM_DESC(bufsize, "ring buffer size in records");

static unsigned long stat_emitted;
static unsigned long stat_dropped;
static unsigned int stat_readers;
module_param_named(emitted, stat_emitted, ulong, 0444);
module_param_named(dropped, stat_dropped, ulong, 0444);
module_param_named(readers, stat_readers, uint, 0444);

static DEFINE_SPINLOCK(nst_lock);
static DECLARE_WAIT_QUEUE_HEAD(nst_wait);

/* Ring of bufsize records; head is the next to read, len how many. */
static struct nstaint_event *ring;
static unsigned int ring_head, ring_len;
static u64 ring_lost;		/* dropped since the last lost record */
static bool nst_dying;
static atomic_t nst_open = ATOMIC_INIT(0);

struct nst_thread {
	struct hlist_node node;
	pid_t tid;
	pid_t tgid;
	bool tainted;
};

struct nst_proc {
	struct hlist_node node;
	pid_t tgid;
	u32 home[NSTAINT_NS_COUNT];
};

static DEFINE_HASHTABLE(nst_threads, 10);
static DEFINE_HASHTABLE(nst_procs, 8);

static u32 ns_inum(struct ns_common *ns)
{
	return ns ? ns->inum : 0;
}

/* The namespace set @nsp describes for @task (user ns from its cred). */
static void nst_read_set(struct task_struct *task, struct nsproxy *nsp,
			 u32 *set)
{
	memset(set, 0, sizeof(u32) * NSTAINT_NS_COUNT);
	if (nsp) {
		/* struct mnt_namespace starts with its ns_common. */
		set[NSTAINT_NS_MNT] = ns_inum((struct ns_common *)nsp->mnt_ns);
		set[NSTAINT_NS_NET] = ns_inum(&nsp->net_ns->ns);
		set[NSTAINT_NS_UTS] = ns_inum(&nsp->uts_ns->ns);
		set[NSTAINT_NS_IPC] = ns_inum(&nsp->ipc_ns->ns);
		set[NSTAINT_NS_CGROUP] = ns_inum(&nsp->cgroup_ns->ns);
		if (nsp->time_ns_for_children)
			set[NSTAINT_NS_TIME] =
				ns_inum(&nsp->time_ns_for_children->ns);
		if (nsp->pid_ns_for_children)
			set[NSTAINT_NS_PID] =
				ns_inum(&nsp->pid_ns_for_children->ns);
	}
	rcu_read_lock();
	set[NSTAINT_NS_USER] = ns_inum(&__task_cred(task)->user_ns->ns);
	rcu_read_unlock();
}

static u32 nst_mask(const u32 *a, const u32 *b)
{
	u32 m = 0;
	int i;

	for (i = 0; i < NSTAINT_NS_COUNT; i++)
		if (a[i] != b[i])
			m |= NSTAINT_NS_BIT(i);
	return m;
}

/*
 * Queue a lost record for the drops so far, if there is room.  It goes
 * after every record queued before the drops and before any later one.
 * Caller holds nst_lock.
 */
static void nst_push_lost(void)
{
	struct nstaint_event *ev;

	if (!ring_lost || ring_len >= bufsize)
		return;
	ev = &ring[(ring_head + ring_len++) % bufsize];
	memset(ev, 0, sizeof(*ev));
	ev->version = NSTAINT_ABI_VERSION;
	ev->size = sizeof(*ev);
	ev->type = NSTAINT_EV_LOST;
	ev->ts_ns = ktime_get_ns();
	ev->count = ring_lost;
	ring_lost = 0;
}

/* Caller holds nst_lock. */
static struct nstaint_event *nst_ring_slot(void)
{
	struct nstaint_event *ev;

	if (!ring || nst_dying)
		return NULL;
	nst_push_lost();
	/* Keep one slot free while records are lost so lost always fits. */
	if (ring_len >= bufsize || (ring_lost && ring_len + 1 >= bufsize)) {
		ring_lost++;
		stat_dropped++;
		return NULL;
	}
	ev = &ring[(ring_head + ring_len++) % bufsize];
	stat_emitted++;
	return ev;
}

/* Caller holds nst_lock. */
static void nst_emit(u16 type, u16 cause, struct task_struct *t,
		     const u32 *old, const u32 *new, const u32 *home)
{
	struct nstaint_event *ev = nst_ring_slot();

	if (!ev)
		return;
	memset(ev, 0, sizeof(*ev));
	ev->version = NSTAINT_ABI_VERSION;
	ev->type = type;
	ev->size = sizeof(*ev);
	ev->cause = cause;
	ev->ts_ns = ktime_get_ns();
	ev->pid = task_tgid_nr(t);
	ev->tid = task_pid_nr(t);
	get_task_comm(ev->comm, t);
	memcpy(ev->ns_old, old, sizeof(ev->ns_old));
	memcpy(ev->ns_new, new, sizeof(ev->ns_new));
	memcpy(ev->ns_home, home, sizeof(ev->ns_home));
	ev->changed_mask = nst_mask(old, new);
	ev->tainted_mask = nst_mask(new, home);
}

static struct nst_thread *nst_thread_find(pid_t tid)
{
	struct nst_thread *th;

	hash_for_each_possible(nst_threads, th, node, tid)
		if (th->tid == tid)
			return th;
	return NULL;
}

static struct nst_proc *nst_proc_find(pid_t tgid)
{
	struct nst_proc *pr;

	hash_for_each_possible(nst_procs, pr, node, tgid)
		if (pr->tgid == tgid)
			return pr;
	return NULL;
}

/* Find or create; @set is the home a new process starts with. */
static struct nst_proc *nst_proc_get(pid_t tgid, const u32 *set)
{
	struct nst_proc *pr = nst_proc_find(tgid);

	if (pr)
		return pr;
	pr = kmalloc(sizeof(*pr), GFP_ATOMIC);
	if (!pr)
		return NULL;
	pr->tgid = tgid;
	memcpy(pr->home, set, sizeof(pr->home));
	hash_add(nst_procs, &pr->node, tgid);
	return pr;
}

static struct nst_thread *nst_thread_get(struct task_struct *t)
{
	struct nst_thread *th = nst_thread_find(t->pid);

	if (th)
		return th;
	th = kzalloc(sizeof(*th), GFP_ATOMIC);
	if (!th)
		return NULL;
	th->tid = t->pid;
	th->tgid = t->tgid;
	hash_add(nst_threads, &th->node, th->tid);
	return th;
}

static int nst_switch_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct task_struct *t = (struct task_struct *)regs->di;
	struct nsproxy *new = (struct nsproxy *)regs->si;
	u32 old_set[NSTAINT_NS_COUNT], new_set[NSTAINT_NS_COUNT];
	struct nst_thread *th;
	struct nst_proc *pr;
	unsigned long flags;
	u16 cause;
	bool single, tainted;

	if (!new || !t->nsproxy)
		return 0;	/* exit: handled by sched_process_exit */
	nst_read_set(t, t->nsproxy, old_set);
	nst_read_set(t, new, new_set);
	if (!nst_mask(old_set, new_set))
		return 0;
	cause = t->in_execve ? NSTAINT_CAUSE_EXEC : NSTAINT_CAUSE_SETNS;
	single = get_nr_threads(t) == 1;

	spin_lock_irqsave(&nst_lock, flags);
	pr = nst_proc_get(t->tgid, old_set);
	th = nst_thread_get(t);
	if (!pr || !th)
		goto out_unlock;
	nst_emit(NSTAINT_EV_NS_CHANGE, cause, t, old_set, new_set, pr->home);
	if (single) {
		/* The whole process moved: its home moves with it. */
		memcpy(pr->home, new_set, sizeof(pr->home));
		if (th->tainted) {
			struct nstaint_event *ev;

			nst_emit(NSTAINT_EV_THREAD_RESTORED, cause, t,
				 old_set, new_set, pr->home);
			ev = ring_len ? &ring[(ring_head + ring_len - 1) %
					      bufsize] : NULL;
			if (ev && ev->tid == t->pid &&
			    ev->type == NSTAINT_EV_THREAD_RESTORED)
				ev->flags |= NSTAINT_F_HOME_MOVED;
			th->tainted = false;
		}
		goto out_unlock;
	}
	tainted = nst_mask(new_set, pr->home) != 0;
	if (tainted && !th->tainted)
		nst_emit(NSTAINT_EV_THREAD_TAINTED, cause, t, old_set,
			 new_set, pr->home);
	else if (!tainted && th->tainted)
		nst_emit(NSTAINT_EV_THREAD_RESTORED, cause, t, old_set,
			 new_set, pr->home);
	th->tainted = tainted;
out_unlock:
	spin_unlock_irqrestore(&nst_lock, flags);
	if (ring_len)
		wake_up_interruptible(&nst_wait);
	return 0;
}

static struct kprobe nst_kp = {
	.symbol_name = "switch_task_namespaces",
	.pre_handler = nst_switch_pre,
};

static void nst_newtask(void *data, struct task_struct *t,
			unsigned long clone_flags)
{
	u32 par_set[NSTAINT_NS_COUNT], set[NSTAINT_NS_COUNT];
	struct nst_thread *pth, *th;
	struct nst_proc *pr;
	unsigned long flags;
	bool woke = false;

	nst_read_set(current, current->nsproxy, par_set);
	nst_read_set(t, t->nsproxy, set);
	spin_lock_irqsave(&nst_lock, flags);
	pth = nst_thread_find(current->pid);
	if (!pth || !pth->tainted)
		goto out_unlock;
	pr = nst_proc_get(t->tgid, set);
	th = nst_thread_get(t);
	if (!pr || !th)
		goto out_unlock;
	nst_emit(NSTAINT_EV_CLONE_FROM_TAINTED, NSTAINT_CAUSE_CLONE, t,
		 par_set, set, pr->home);
	if (ring_len) {
		struct nstaint_event *ev =
			&ring[(ring_head + ring_len - 1) % bufsize];

		if (ev->type == NSTAINT_EV_CLONE_FROM_TAINTED &&
		    ev->tid == t->pid) {
			ev->parent_tid = current->pid;
			ev->clone_flags = clone_flags;
			if (!(clone_flags & CLONE_THREAD))
				ev->flags |= NSTAINT_F_NEW_PROCESS;
		}
	}
	th->tainted = nst_mask(set, pr->home) != 0;
	woke = true;
out_unlock:
	spin_unlock_irqrestore(&nst_lock, flags);
	if (woke)
		wake_up_interruptible(&nst_wait);
}

static void nst_exit(void *data, struct task_struct *t)
{
	u32 set[NSTAINT_NS_COUNT];
	struct nst_thread *th;
	struct nst_proc *pr;
	unsigned long flags;
	bool woke = false;

	nst_read_set(t, t->nsproxy, set);
	spin_lock_irqsave(&nst_lock, flags);
	th = nst_thread_find(t->pid);
	pr = nst_proc_find(t->tgid);
	if (th) {
		if (th->tainted) {
			nst_emit(NSTAINT_EV_THREAD_EXIT, NSTAINT_CAUSE_EXIT, t,
				 set, set, pr ? pr->home : set);
			woke = true;
		}
		hash_del(&th->node);
		kfree(th);
	}
	/* The last thread of the process: drop its home too. */
	if (pr && get_nr_threads(t) <= 1) {
		hash_del(&pr->node);
		kfree(pr);
	}
	spin_unlock_irqrestore(&nst_lock, flags);
	if (woke)
		wake_up_interruptible(&nst_wait);
}

static struct tracepoint *tp_newtask, *tp_exit;

static void nst_find_tp(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "task_newtask"))
		tp_newtask = tp;
	else if (!strcmp(tp->name, "sched_process_exit"))
		tp_exit = tp;
}

static int nst_open_dev(struct inode *inode, struct file *file)
{
	if (atomic_cmpxchg(&nst_open, 0, 1))
		return -EBUSY;
	stat_readers = 1;
	return nonseekable_open(inode, file);
}

static int nst_release(struct inode *inode, struct file *file)
{
	stat_readers = 0;
	atomic_set(&nst_open, 0);
	return 0;
}

static ssize_t nst_read(struct file *file, char __user *buf, size_t count,
			loff_t *ppos)
{
	struct nstaint_event *tmp;
	size_t n, max = count / sizeof(*tmp), i;
	unsigned long flags;
	ssize_t ret;

	if (!max)
		return -EINVAL;
	if (max > 64)
		max = 64;
	tmp = kmalloc_array(max, sizeof(*tmp), GFP_KERNEL);
	if (!tmp)
		return -ENOMEM;
	for (;;) {
		spin_lock_irqsave(&nst_lock, flags);
		/* Drops end up reported even if no record follows them. */
		if (!ring_len)
			nst_push_lost();
		n = min_t(size_t, max, ring_len);
		for (i = 0; i < n; i++) {
			tmp[i] = ring[ring_head];
			ring_head = (ring_head + 1) % bufsize;
			ring_len--;
		}
		spin_unlock_irqrestore(&nst_lock, flags);
		if (n || nst_dying)
			break;
		if (file->f_flags & O_NONBLOCK) {
			ret = -EAGAIN;
			goto out_free;
		}
		ret = wait_event_interruptible(nst_wait,
					       READ_ONCE(ring_len) ||
					       READ_ONCE(ring_lost) ||
					       READ_ONCE(nst_dying));
		if (ret)
			goto out_free;
	}
	ret = n * sizeof(*tmp);
	if (n && copy_to_user(buf, tmp, ret))
		ret = -EFAULT;
out_free:
	kfree(tmp);
	return ret;
}

static __poll_t nst_poll(struct file *file, poll_table *wait)
{
	poll_wait(file, &nst_wait, wait);
	if (READ_ONCE(ring_len) || READ_ONCE(ring_lost))
		return EPOLLIN | EPOLLRDNORM;
	if (READ_ONCE(nst_dying))
		return EPOLLHUP;
	return 0;
}

static const struct file_operations nst_fops = {
	.owner = THIS_MODULE,
	.open = nst_open_dev,
	.release = nst_release,
	.read = nst_read,
	.poll = nst_poll,
	.llseek = no_llseek,
};

static struct miscdevice nst_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "nstaint",
	.fops = &nst_fops,
	.mode = 0600,
};

static void nst_free_state(void)
{
	struct nst_thread *th;
	struct nst_proc *pr;
	struct hlist_node *tmp;
	int bkt;

	hash_for_each_safe(nst_threads, bkt, tmp, th, node) {
		hash_del(&th->node);
		kfree(th);
	}
	hash_for_each_safe(nst_procs, bkt, tmp, pr, node) {
		hash_del(&pr->node);
		kfree(pr);
	}
}

static int __init nst_init(void)
{
	int err;

	if (bufsize < 2 || bufsize > (1U << 20))
		return -EINVAL;
	ring = vzalloc(array_size(bufsize, sizeof(*ring)));
	if (!ring)
		return -ENOMEM;
	for_each_kernel_tracepoint(nst_find_tp, NULL);
	if (!tp_newtask || !tp_exit) {
		err = -ENOENT;
		goto err_free_ring;
	}
	err = tracepoint_probe_register(tp_newtask, nst_newtask, NULL);
	if (err)
		goto err_free_ring;
	err = tracepoint_probe_register(tp_exit, nst_exit, NULL);
	if (err)
		goto err_unreg_newtask;
	err = register_kprobe(&nst_kp);
	if (err)
		goto err_unreg_exit;
	err = misc_register(&nst_misc);
	if (err)
		goto err_unreg_kprobe;
	return 0;

err_unreg_kprobe:
	unregister_kprobe(&nst_kp);
err_unreg_exit:
	tracepoint_probe_unregister(tp_exit, nst_exit, NULL);
err_unreg_newtask:
	tracepoint_probe_unregister(tp_newtask, nst_newtask, NULL);
	tracepoint_synchronize_unregister();
err_free_ring:
	vfree(ring);
	return err;
}

static void __exit nst_cleanup(void)
{
	unsigned long flags;

	/*
	 * The device holds a module reference while open, so no reader is
	 * blocked here; still mark dying first so late probes stop.
	 */
	misc_deregister(&nst_misc);
	unregister_kprobe(&nst_kp);
	tracepoint_probe_unregister(tp_exit, nst_exit, NULL);
	tracepoint_probe_unregister(tp_newtask, nst_newtask, NULL);
	tracepoint_synchronize_unregister();
	spin_lock_irqsave(&nst_lock, flags);
	nst_dying = true;
	nst_free_state();
	spin_unlock_irqrestore(&nst_lock, flags);
	wake_up_interruptible(&nst_wait);
	vfree(ring);
}

module_init(nst_init);
module_exit(nst_cleanup);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("nstaint: threads left in the wrong namespace");
