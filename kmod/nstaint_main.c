// SPDX-License-Identifier: GPL-2.0-only
/*
 * nstaint.ko: reports threads whose namespace set leaves their process's
 * home set, as struct nstaint_event records on /dev/nstaint (the same
 * records the BPF backend produces).
 *
 * Hooks:
 *   kprobe switch_task_namespaces  setns, unshare (new == NULL is exit:
 *                                  sched_process_exit reports it)
 *   kprobe commit_creds            user namespace changes
 *   tracepoint task_newtask        clone_from_tainted; clone into new
 *                                  namespaces; a new process's home
 *   tracepoint sched_process_exec  the home set is the set at exec; a
 *                                  tainted thread is restored by it
 *   tracepoint sched_process_exit  thread_exit; the last thread of a
 *                                  process frees its home set
 *
 * Every hook runs in the context of the task it looks at, with preemption
 * disabled (kprobes) or not (tracepoints), never under a scheduler lock:
 * nothing here sleeps, memory is GFP_ATOMIC, every lock a spinlock.
 *
 * Home sets (design.md): the set at exec, or at fork for a child that has
 * not exec'd.  A process running before the module was loaded gets one
 * when first seen (nst_home_guess).  A single-threaded process that
 * changes namespaces moved as a whole: its home set moves with it
 * (NSTAINT_F_HOME_MOVED) and it is never tainted by that.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/tracepoint.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/cred.h>
#include <linux/nsproxy.h>
#include <linux/binfmts.h>
#include <linux/user_namespace.h>
#include <asm/syscall.h>

#include "nst.h"

/* What made current change namespaces: the syscall it is in, or exec. */
static u16 nst_cause(u16 otherwise)
{
	if (current->in_execve)
		return NSTAINT_CAUSE_EXEC;
	switch (syscall_get_nr(current, task_pt_regs(current))) {
	case __NR_setns:
		return NSTAINT_CAUSE_SETNS;
	case __NR_unshare:
		return NSTAINT_CAUSE_UNSHARE;
	default:
		return otherwise;
	}
}

/*
 * current's set goes from @old to @new: ns_change, then thread_tainted or
 * thread_restored when its standing against the home set changed.
 */
static void nst_changed(const struct nst_set *old, const struct nst_set *new,
			u16 cause)
{
	struct nstaint_event ev;
	struct nst_set home;
	u32 was, now, changed = nst_set_diff(old, new);

	if (!changed)
		return;
	nst_home_of_task(current, &home);
	was = nst_set_diff(old, &home);
	nst_fill(&ev, NSTAINT_EV_NS_CHANGE, cause, current);
	if (get_nr_threads(current) <= 1) {
		home = *new;
		nst_proc_set_home(task_tgid_nr(current), &home);
		ev.flags |= NSTAINT_F_HOME_MOVED;
	}
	now = nst_set_diff(new, &home);
	memcpy(ev.ns_old, old->ino, sizeof(ev.ns_old));
	memcpy(ev.ns_new, new->ino, sizeof(ev.ns_new));
	memcpy(ev.ns_home, home.ino, sizeof(ev.ns_home));
	ev.changed_mask = changed;
	ev.tainted_mask = now;
	nst_submit(&ev);

	if (!was == !now)
		return;
	ev.type = now ? NSTAINT_EV_THREAD_TAINTED : NSTAINT_EV_THREAD_RESTORED;
	nst_submit(&ev);
}

/* switch_task_namespaces(p, new): p is current for setns and unshare. */
static int nst_switch_ns_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct task_struct *p = (struct task_struct *)regs->di;
	struct nsproxy *new = (struct nsproxy *)regs->si;
	struct user_namespace *user = current_user_ns();
	struct nst_set old_set, new_set;

	if (p != current || !new || (p->flags & PF_KTHREAD))
		return 0;
	nst_set_of(&old_set, p->nsproxy, user);
	nst_set_of(&new_set, new, user);
	nst_changed(&old_set, &new_set, nst_cause(NSTAINT_CAUSE_UNKNOWN));
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
	nst_changed(&old_set, &new_set, nst_cause(NSTAINT_CAUSE_CREDS));
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

static struct kprobe *nst_kprobes[] = {
	&nst_kp_switch_ns,
	&nst_kp_commit_creds,
};

/*
 * clone with CLONE_NEW* flags: @child starts in namespaces other than its
 * parent's (@pset), as the BPF backend reports it.  A new process moved
 * as a whole (its home is @cset: ns_change with home_moved); a new thread
 * is tainted from birth against its process's @home.
 */
static void nst_clone_new_ns(struct task_struct *child,
			     const struct nst_set *pset,
			     const struct nst_set *cset,
			     const struct nst_set *home,
			     unsigned long clone_flags)
{
	struct nstaint_event ev;

	nst_fill(&ev, NSTAINT_EV_NS_CHANGE, NSTAINT_CAUSE_CLONE, child);
	memcpy(ev.ns_old, pset->ino, sizeof(ev.ns_old));
	memcpy(ev.ns_new, cset->ino, sizeof(ev.ns_new));
	memcpy(ev.ns_home, home->ino, sizeof(ev.ns_home));
	ev.changed_mask = nst_set_diff(pset, cset);
	ev.tainted_mask = nst_set_diff(cset, home);
	ev.parent_tid = task_pid_nr(current);
	ev.clone_flags = clone_flags;
	if (!(clone_flags & CLONE_THREAD))
		ev.flags |= NSTAINT_F_NEW_PROCESS | NSTAINT_F_HOME_MOVED;
	nst_submit(&ev);
	if (!ev.tainted_mask)
		return;
	ev.type = NSTAINT_EV_THREAD_TAINTED;
	nst_submit(&ev);
}

/*
 * task_newtask runs in the parent (current) once the child is complete
 * but before it first runs.  A new process gets its home set here.
 */
static void nst_newtask(void *data, struct task_struct *child,
			unsigned long clone_flags)
{
	bool thread = clone_flags & CLONE_THREAD;
	struct nst_set parent_set, child_set, home;
	struct nstaint_event ev;

	if ((current->flags & PF_KTHREAD) || (child->flags & PF_KTHREAD))
		return;
	if (!nst_set_of_task(current, &parent_set) ||
	    !nst_set_of_task(child, &child_set))
		return;
	/* A guess counts the child already: it is on the thread list. */
	if (nst_home_of_task(current, &home) && thread)
		nst_proc_thread_born(task_tgid_nr(current));
	if (!thread) {
		u32 gen = nst_follow_gen();

		/* A followed process's children are followed too. */
		if (gen && nst_proc_follow_gen(task_tgid_nr(current)) != gen)
			gen = 0;
		nst_proc_born(task_tgid_nr(child), &child_set, gen);
	}
	if (nst_set_diff(&parent_set, &child_set))
		nst_clone_new_ns(child, &parent_set, &child_set,
				 thread ? &home : &child_set, clone_flags);
	if (!nst_set_diff(&parent_set, &home))
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

/*
 * After exec the process is single-threaded and its set is its home.  So
 * a thread tainted against the old home is restored by the exec (the
 * others were killed and reported at their exit): thread_restored of
 * cause exec, under the tid it was tainted with, @old_pid, since a
 * non-leader takes the leader's tid at exec.  Its set is unchanged.
 */
static void nst_exec(void *data, struct task_struct *p, pid_t old_pid,
		     struct linux_binprm *bprm)
{
	struct nst_set set, home;
	struct nstaint_event ev;
	pid_t tgid = task_tgid_nr(p);

	if (!nst_set_of_task(p, &set))
		return;
	if (nst_proc_get_home(tgid, &home) && nst_set_diff(&set, &home)) {
		nst_fill(&ev, NSTAINT_EV_THREAD_RESTORED, NSTAINT_CAUSE_EXEC, p);
		ev.tid = old_pid;
		memcpy(ev.ns_old, set.ino, sizeof(ev.ns_old));
		memcpy(ev.ns_new, set.ino, sizeof(ev.ns_new));
		memcpy(ev.ns_home, set.ino, sizeof(ev.ns_home));
		nst_submit(&ev);
	}
	nst_proc_exec(tgid, &set);
}

/*
 * sched_process_exit: p (current) still holds its namespaces; they go in
 * exit_task_namespaces, later.  A tainted thread is reported; the last
 * thread of a process frees the process's home set (nst_procs.c).
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
	nst_proc_thread_exit(tgid);
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
			goto err_unregister;
		}
		err = tracepoint_probe_register(nst_tps[i].tp,
						nst_tps[i].probe, NULL);
		if (err) {
			pr_err("tracepoint %s: error %d\n", nst_tps[i].name,
			       err);
			goto err_unregister;
		}
		nst_tps[i].registered = true;
	}
	return 0;

err_unregister:
	nst_tps_unregister();
	return err;
}

static int __init nst_init(void)
{
	int err;

	err = nst_dev_init();
	if (err)
		return err;
	err = nst_tps_register();
	if (err)
		goto err_free_procs;
	err = register_kprobes(nst_kprobes, ARRAY_SIZE(nst_kprobes));
	if (err) {
		pr_err("kprobes on switch_task_namespaces/commit_creds: error %d (CONFIG_KPROBES?)\n",
		       err);
		goto err_unregister_tps;
	}
	return 0;

err_unregister_tps:
	nst_tps_unregister();
	/*
	 * Hooks that ran before a later one failed to register may have
	 * stored home sets, also when nst_tps_register() failed partway
	 * (it unregisters what it registered itself).
	 */
err_free_procs:
	nst_procs_free();
	nst_dev_exit();
	return err;
}

/*
 * Hooks first: unregister_kprobes() and tracepoint_synchronize_unregister()
 * return only when no handler of ours runs, after which the home sets and
 * the ring can go.  No reader is open: it would pin the module.
 */
static void __exit nst_cleanup(void)
{
	unregister_kprobes(nst_kprobes, ARRAY_SIZE(nst_kprobes));
	nst_tps_unregister();
	nst_procs_free();
	nst_dev_exit();
}

module_init(nst_init);
module_exit(nst_cleanup);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("nstaint: threads left in the wrong namespace");
