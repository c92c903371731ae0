// SPDX-License-Identifier: GPL-2.0-only
/*
 * Home sets of processes, keyed by tgid: the module's only per-task
 * state.  Whether a thread is tainted is decided by comparing its current
 * set with this home set, so nothing is kept per thread.
 *
 * An entry lives from the first time the process is seen (fork, exec, or
 * its first namespace change) until its last thread passes
 * sched_process_exit, counted in @threads.  signal->live cannot tell
 * that: do_exit drops it before exit_mm() wakes pthread_join(), so a
 * joined thread can still be on its way to the tracepoint when the
 * joiner's exit_group() brings live to 0, and it needs the home set to
 * report its own exit.
 *
 * @threads is exact for a process seen from its fork: 1 there, +1 per
 * CLONE_THREAD, -1 per exit, and 1 again after exec (de_thread() has
 * reaped every other thread).  For a process already running when it is
 * first seen it is the number of its threads not yet exiting; a race with
 * a thread exiting or being cloned at that moment can make it wrong until
 * the process execs, and the entry is then freed early (a later hook
 * guesses again) or late (when the tgid is reused, or at unload).
 */
#include <linux/hashtable.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "nst.h"

struct nst_proc {
	struct hlist_node node;
	pid_t tgid;
	int threads;		/* threads not yet past sched_process_exit */
	u32 follow_gen;		/* reader generation following it; 0: none */
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

/*
 * Set the home set of @tgid, creating the entry if needed.  @threads > 0
 * sets the thread count too (fork, exec, first sight); 0 keeps it.
 */
static void nst_proc_store(pid_t tgid, const struct nst_set *home,
			   int threads)
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
		p->threads = 1;
		p->follow_gen = 0;
		hash_add(nst_procs, &p->node, tgid);
		nst_stat_processes++;
	}
	if (p) {
		p->home = *home;
		if (threads)
			p->threads = threads;
	} else {
		nst_stat_untracked++;
	}
	spin_unlock_irqrestore(&nst_procs_lock, flags);
	kfree(fresh);
}

/* A new process (fork): one thread, @home; @follow_gen as its parent. */
void nst_proc_born(pid_t tgid, const struct nst_set *home, u32 follow_gen)
{
	nst_proc_store(tgid, home, 1);
	nst_proc_follow(tgid, follow_gen);
}

/* After exec: one thread, and its set is the home set. */
void nst_proc_exec(pid_t tgid, const struct nst_set *home)
{
	nst_proc_store(tgid, home, 1);
}

/* A single-threaded process moved: the home set moves with it. */
void nst_proc_set_home(pid_t tgid, const struct nst_set *home)
{
	nst_proc_store(tgid, home, 0);
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

/*
 * The home set of @t's process (true), or false after guessing it and
 * keeping the guess with the count of @t's threads not yet exiting.
 */
bool nst_home_of_task(struct task_struct *t, struct nst_set *home)
{
	pid_t tgid = task_tgid_nr(t);
	int threads;

	if (nst_proc_get_home(tgid, home))
		return true;
	threads = nst_home_guess(t->group_leader, home);
	nst_proc_store(tgid, home, threads > 0 ? threads : 1);
	return false;
}

/* A known process cloned a thread. */
void nst_proc_thread_born(pid_t tgid)
{
	struct nst_proc *p;
	unsigned long flags;

	spin_lock_irqsave(&nst_procs_lock, flags);
	p = nst_proc_find(tgid);
	if (p)
		p->threads++;
	spin_unlock_irqrestore(&nst_procs_lock, flags);
}

/* A thread of @tgid passed sched_process_exit: the last frees the entry. */
void nst_proc_thread_exit(pid_t tgid)
{
	struct nst_proc *p;
	unsigned long flags;

	spin_lock_irqsave(&nst_procs_lock, flags);
	p = nst_proc_find(tgid);
	if (p && --p->threads <= 0) {
		hash_del(&p->node);
		nst_stat_processes--;
	} else {
		p = NULL;	/* unknown, or still in use */
	}
	spin_unlock_irqrestore(&nst_procs_lock, flags);
	kfree(p);
}

/* The reader generation following @tgid (NSTAINT_IOC_FOLLOW); 0: none. */
u32 nst_proc_follow_gen(pid_t tgid)
{
	struct nst_proc *p;
	unsigned long flags;
	u32 gen;

	spin_lock_irqsave(&nst_procs_lock, flags);
	p = nst_proc_find(tgid);
	gen = p ? p->follow_gen : 0;
	spin_unlock_irqrestore(&nst_procs_lock, flags);
	return gen;
}

/* Mark a known process followed by reader generation @gen (0: not). */
void nst_proc_follow(pid_t tgid, u32 gen)
{
	struct nst_proc *p;
	unsigned long flags;

	spin_lock_irqsave(&nst_procs_lock, flags);
	p = nst_proc_find(tgid);
	if (p)
		p->follow_gen = gen;
	spin_unlock_irqrestore(&nst_procs_lock, flags);
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
