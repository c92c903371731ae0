/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internal interfaces of nstaint.ko, between its parts:
 *   nst_set.c    namespace sets of tasks, and the home-set guess
 *   nst_procs.c  home sets of processes (the module's only per-task state)
 *   nst_dev.c    the record ring, /dev/nstaint and the statistics
 *   nstaint_main.c  the hooks, load and unload
 *
 * Every function here may be called from a hook: none sleeps.
 */
#ifndef NST_H
#define NST_H

#include <linux/types.h>
#include <linux/sched.h>
#include <nstaint/events.h>

/* One namespace set, indexed by enum nstaint_ns. */
struct nst_set {
	u32 ino[NSTAINT_NS_COUNT];
};

struct nsproxy;
struct user_namespace;

/* nst_set.c */
void nst_set_of(struct nst_set *s, struct nsproxy *ns,
		struct user_namespace *user);
bool nst_set_of_task(struct task_struct *t, struct nst_set *s);
u32 nst_set_diff(const struct nst_set *a, const struct nst_set *b);
int nst_home_guess(struct task_struct *leader, struct nst_set *home);

/* nst_procs.c */
void nst_proc_born(pid_t tgid, const struct nst_set *home, u32 follow_gen);
void nst_proc_exec(pid_t tgid, const struct nst_set *home);
void nst_proc_set_home(pid_t tgid, const struct nst_set *home);
bool nst_proc_get_home(pid_t tgid, struct nst_set *home);
bool nst_home_of_task(struct task_struct *t, struct nst_set *home);
void nst_proc_thread_born(pid_t tgid);
void nst_proc_thread_exit(pid_t tgid);
u32 nst_proc_follow_gen(pid_t tgid);
void nst_proc_follow(pid_t tgid, u32 gen);
void nst_procs_free(void);

/* nst_dev.c */
void nst_fill(struct nstaint_event *ev, u16 type, u16 cause,
	      struct task_struct *t);
void nst_submit(const struct nstaint_event *ev);
u32 nst_follow_gen(void);
int nst_dev_init(void);
void nst_dev_exit(void);
extern unsigned long nst_stat_processes;
extern unsigned long nst_stat_untracked;

#endif /* NST_H */
