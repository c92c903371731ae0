// SPDX-License-Identifier: GPL-2.0-only
/*
 * registry.c: libmn's side of the nstaint runtime contract
 * (include/nstaint/mn_abi.h): each M's slot and the exported registry of
 * every runtime thread's slot.
 *
 * Owns: mn_nstaint_registry and reg_lock; filling an M's slot
 * (mn_m_publish) and listing or unlisting the M (mn_registry_add/del).
 *
 * Invariants:
 *  - A slot is written only by its own thread (mn_m_publish runs on the
 *    M's thread, on g0 or on the task that changes its lock depth), with
 *    seq odd while the other fields change; readers retry on odd or on a
 *    seq that moved.
 *  - The slot lives inside struct mn_m, so the M is freed only after its
 *    thread is joined (proc.c reap_m), which also marks the slot dead.
 *  - Registry entries change only under reg_lock, each change bracketed
 *    by two increments of generation (odd while it changes); slot_addr is
 *    the last field set and the first cleared, and an entry with
 *    slot_addr 0 is free.  nr_used only grows.
 *  - Every runtime thread is listed before it runs anything the tool must
 *    attribute: an M before its first task (mstart), the template and
 *    sysmon threads before mn_runtime_init returns (init.c).
 */
#include "internal.h"

__attribute__((visibility("default"), used))
struct mn_abi_registry mn_nstaint_registry = {
	.magic = MN_ABI_REG_MAGIC,
	.version = MN_ABI_VERSION,
	.max_threads = MN_ABI_MAX_THREADS,
};
static uint32_t reg_lock;

/* Publish the task now running on m (0 = none) and its lock depth.  On
 * m's own thread only (checked in debug builds): the slot has a single
 * writer, so seq needs no atomic increment.  x86 stores are seen in
 * program order, so compiler fences are enough for a reader elsewhere. */
void mn_m_publish(struct mn_m *m, uint64_t task, int locked)
{
	struct mn_abi_slot *s = &m->slot;
	uint64_t seq = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);

	mn_dcheck(mn_tls_m == m, "mn_m_publish: M %d's slot written off its thread", m->id);
	__atomic_store_n(&s->seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&s->task_id, task, __ATOMIC_RELAXED);
	__atomic_store_n(&s->locked, (uint32_t)locked, __ATOMIC_RELAXED);
	__atomic_store_n(&s->switches, s->switches + 1, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&s->seq, seq + 2, __ATOMIC_RELEASE);
}

/* List m (m->tid set) in the registry.  On m's own thread, before it
 * runs anything nstaint must attribute; must not hold reg_lock.  A full
 * registry counts the thread in overflow and leaves m unlisted. */
void mn_registry_add(struct mn_m *m, uint32_t flags)
{
	struct mn_abi_registry *r = &mn_nstaint_registry;
	uint32_t i;

	m->slot.magic = MN_ABI_SLOT_MAGIC;
	m->slot.version = MN_ABI_VERSION;
	m->slot.tid = (uint32_t)m->tid;
	m->reg_index = -1;
	mn_lk_lock(&reg_lock);
	for (i = 0; i < r->nr_used; i++)
		if (!r->threads[i].slot_addr)
			break;
	if (i == MN_ABI_MAX_THREADS) {
		r->overflow++;
		mn_lk_unlock(&reg_lock);
		return;
	}
	__atomic_store_n(&r->generation, r->generation + 1, __ATOMIC_RELEASE);
	r->threads[i].tid = (uint32_t)m->tid;
	r->threads[i].flags = flags;
	__atomic_store_n(&r->threads[i].slot_addr, (uint64_t)(uintptr_t)&m->slot, __ATOMIC_RELEASE);
	if (i == r->nr_used)
		__atomic_store_n(&r->nr_used, i + 1, __ATOMIC_RELEASE);
	__atomic_store_n(&r->generation, r->generation + 1, __ATOMIC_RELEASE);
	m->reg_index = (int)i;
	mn_lk_unlock(&reg_lock);
}

/* Unlist m; its slot stays readable until the thread is joined.  On
 * m's own thread, as it exits; must not hold reg_lock. */
void mn_registry_del(struct mn_m *m)
{
	struct mn_abi_registry *r = &mn_nstaint_registry;

	if (m->reg_index < 0)
		return;
	mn_lk_lock(&reg_lock);
	__atomic_store_n(&r->generation, r->generation + 1, __ATOMIC_RELEASE);
	__atomic_store_n(&r->threads[m->reg_index].slot_addr, 0, __ATOMIC_RELEASE);
	r->threads[m->reg_index].tid = 0;
	r->threads[m->reg_index].flags = 0;
	__atomic_store_n(&r->generation, r->generation + 1, __ATOMIC_RELEASE);
	mn_lk_unlock(&reg_lock);
	m->reg_index = -1;
}
