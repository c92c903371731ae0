// SPDX-License-Identifier: GPL-2.0-only
/*
 * Home sets of processes, keyed by tgid: the module's only per-task
 * state.  Whether a thread is tainted is decided by comparing its current
 * set with this home set, so nothing is kept per thread.
 *
 * Invariant: an entry exists from the first time the process is seen
 * (fork, exec, or its first namespace change) until its last thread
 * passes sched_process_exit; nst_stat_processes counts the entries.
 */
#include <linux/hashtable.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "nst.h"

struct nst_proc {
	struct hlist_node node;
	pid_t tgid;
	struct nst_set home;
};

static DEFINE_HASHTABLE(nst_procs, 10);
static DEFINE_SPINLOCK(nst_procs_lock);	/* nst_procs, nst_stat_processes */

/* Statistics, in /sys/module/nstaint/parameters/ (nst_dev.c). */
unsigned long nst_stat_processes;	/* entries in nst_procs */
unsigned long nst_stat_untracked;	/* processes not tracked: no memory */

static struct nst_proc *nst_proc_find(pid_t tgid)
{
	struct nst_proc *p;

	hash_for_each_possible(nst_procs, p, node, tgid)
		if (p->tgid == tgid)
			return p;
	return NULL;
}

/* Record @home as the home set of @tgid (new or replaced). */
void nst_proc_set_home(pid_t tgid, const struct nst_set *home)
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
		nst_stat_processes++;
	}
	if (p)
		p->home = *home;
	else
		nst_stat_untracked++;
	spin_unlock_irqrestore(&nst_procs_lock, flags);
	kfree(fresh);
}

/* The home set of @tgid, if it is known. */
bool nst_proc_get_home(pid_t tgid, struct nst_set *home)
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

void nst_proc_forget(pid_t tgid)
{
	struct nst_proc *p;
	unsigned long flags;

	spin_lock_irqsave(&nst_procs_lock, flags);
	p = nst_proc_find(tgid);
	if (p) {
		hash_del(&p->node);
		nst_stat_processes--;
	}
	spin_unlock_irqrestore(&nst_procs_lock, flags);
	kfree(p);
}

/* At unload, once no hook can run any more. */
void nst_procs_free(void)
{
	struct hlist_node *tmp;
	struct nst_proc *p;
	int bkt;

	hash_for_each_safe(nst_procs, bkt, tmp, p, node) {
		hash_del(&p->node);
		kfree(p);
	}
	nst_stat_processes = 0;
}
