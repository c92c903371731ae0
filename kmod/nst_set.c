// SPDX-License-Identifier: GPL-2.0-only
/*
 * Namespace sets of tasks (the eight inodes of design.md), and the home
 * set of a process that was running before the module saw it exec or
 * fork.
 */
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/nsproxy.h>
#include <linux/ns_common.h>
#include <linux/cred.h>
#include <linux/user_namespace.h>
#include <linux/utsname.h>
#include <linux/ipc_namespace.h>
#include <linux/pid_namespace.h>
#include <linux/cgroup.h>
#include <linux/time_namespace.h>
#include <linux/string.h>
#include <net/net_namespace.h>
#include <nstaint/nsdiff.h>

#include "nst.h"

/* mnt_namespace is private to fs/; its first member is its ns_common. */
static u32 nst_mnt_inum(struct mnt_namespace *mnt)
{
	return mnt ? ((struct ns_common *)mnt)->inum : 0;
}

/* The set of @ns (NULL: all 0) with user namespace @user. */
void nst_set_of(struct nst_set *s, struct nsproxy *ns,
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
 * The set of task @t.  t->nsproxy is stable only under task_lock (it is
 * freed without RCU), t->real_cred under RCU.  False for a task that has
 * already dropped its namespaces (exiting).
 */
bool nst_set_of_task(struct task_struct *t, struct nst_set *s)
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

/* Bit i set iff both sets know namespace i and they differ there. */
u32 nst_set_diff(const struct nst_set *a, const struct nst_set *b)
{
	return nstaint_ns_diff(a->ino, b->ino);
}

#define NST_VOTES	8	/* distinct sets counted; more are rare */

/*
 * design.md's rule for a process already running: the set most of its
 * threads hold; on a tie the parent's, if it is one of the tied sets;
 * then the leader's.  Takes each thread's task_lock in turn under RCU.
 * Returns the number of its threads not yet exiting.
 */
int nst_home_guess(struct task_struct *leader, struct nst_set *home)
{
	struct nst_set sets[NST_VOTES], parent, cur;
	unsigned int votes[NST_VOTES] = { 0 };
	unsigned int n = 0, best = 0, i, ties = 0;
	int live = 0;
	struct task_struct *t;
	bool have_parent;

	rcu_read_lock();
	for_each_thread(leader, t) {
		if (!(READ_ONCE(t->flags) & PF_EXITING))
			live++;
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
		return live;
	}
	for (i = 0; i < n; i++)
		if (votes[i] > votes[best])
			best = i;
	for (i = 0; i < n; i++)
		if (votes[i] == votes[best])
			ties++;
	if (ties == 1) {
		*home = sets[best];
		return live;
	}
	for (i = 0; have_parent && i < n; i++)
		if (votes[i] == votes[best] &&
		    !memcmp(&sets[i], &parent, sizeof(parent))) {
			*home = sets[i];
			return live;
		}
	if (!nst_set_of_task(leader, home))
		*home = sets[best];
	return live;
}
