// SPDX-License-Identifier: GPL-2.0-only
/*
 * syscall.c: handing a P off around blocking system calls (Go's
 * entersyscall, exitsyscall and sysmon's retake).
 *
 * Owns: mn_syscall_enter, mn_syscall_exit and mn_retake, the three
 * parties of one protocol on p->status.
 *
 * Invariants:
 *  - mn_syscall_enter leaves its P in P_SYSCALL with m->oldp = p and
 *    m->p = NULL: from then on the task owns no P and must not touch
 *    scheduler state until mn_syscall_exit.
 *  - A P in P_SYSCALL is free to take: whoever CASes p->status away from
 *    P_SYSCALL first owns it, the returning M (fast path, to P_RUNNING)
 *    or sysmon (mn_retake, to P_IDLE, then mn_handoffp).  The loser does
 *    not touch the P again.
 *  - p->syscalltick changes on every enter, so sysmon retakes a P only
 *    when it saw the same tick for a whole period (20 us): a P that
 *    enters and leaves quick system calls is never taken.
 */
#include "internal.h"

/* On a task (a no-op elsewhere); until the matching mn_syscall_exit on
 * the same task, no libmn call that may switch tasks (mn_mcall checks). */
void mn_syscall_enter(void)
{
	struct mn_m *m = mn_getm();
	struct mn_p *p;

	if (!m || !m->p || !m->curg)
		return;
	p = m->p;
	atomic_store(&m->curg->status, G_SYSCALL);
	m->oldp = p;
	m->p = NULL;
	atomic_fetch_add(&p->syscalltick, 1);
	atomic_fetch_add(&mn_sched.nsyscall, 1);
	atomic_store(&p->status, P_SYSCALL);
	/* sysmon must look soon: it may be sleeping for long. */
	if (atomic_load(&mn_sched.sysmon_until) > mn_nanotime() + 1000000)
		mn_sysmon_kick();
}

/* After mn_syscall_enter, on the same task and thread (a no-op without
 * one).  Returns holding a P: the old one if nobody took it, an idle one,
 * or, through g0 (ACT_SYSEXIT), whichever P runs the task next. */
void mn_syscall_exit(void)
{
	struct mn_m *m = mn_getm();
	struct mn_p *p;
	int st = P_SYSCALL;

	if (!m || !m->oldp)
		return;
	p = m->oldp;
	m->oldp = NULL;
	atomic_fetch_sub(&mn_sched.nsyscall, 1);
	if (atomic_compare_exchange_strong(&p->status, &st, P_RUNNING)) {
		/* Ours again, or another M's P that sits in a syscall of its
		 * own: P_SYSCALL means "free to take", that M will go the
		 * slow way (Go's exitsyscallfast has the same rule). */
		m->p = p;
		p->m = m;
		atomic_store(&m->curg->status, G_RUNNING);
		return;
	}
	/* sysmon handed our P to another thread; take any idle one. */
	mn_lk_lock(&mn_sched.lock);
	p = pidleget();
	mn_lk_unlock(&mn_sched.lock);
	if (p) {
		acquirep(m, p);
		atomic_store(&m->curg->status, G_RUNNING);
		return;
	}
	mn_mcall(ACT_SYSEXIT);
}

/* sysmon's retake: Ps stuck in a system call for a whole tick.  Sysmon
 * only: p->sysmon_tick and p->sysmon_when are its own. */
bool mn_retake(int64_t now)
{
	bool any = false;

	for (int i = 0; i < mn_sched.nprocs; i++) {
		struct mn_p *p = &mn_sched.allp[i];
		uint32_t tick = atomic_load(&p->syscalltick);
		int st = P_SYSCALL;

		if (atomic_load(&p->status) != P_SYSCALL) {
			p->sysmon_tick = tick;
			continue;
		}
		if (p->sysmon_tick != tick) {
			p->sysmon_tick = tick;
			p->sysmon_when = now;
			continue;
		}
		if (now - p->sysmon_when < 20000)
			continue;
		if (atomic_compare_exchange_strong(&p->status, &st, P_IDLE)) {
			p->m = NULL;
			mn_handoffp(p);
			any = true;
		}
	}
	return any;
}
