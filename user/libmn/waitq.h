/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * waitq.h: the one list of waiting tasks, used by channels (chan.c, a
 * sudog per waiter) and by the sync objects (sync.c, a struct mn_waiter).
 *
 * A list is two pointers, head and tail, kept in a `void *q[2]` because
 * that is how <mn.h> lays out the public sync objects (mn_mutex's wq...),
 * whose size and layout are part of libmn.so's ABI.  Entries embed a
 * struct mn_wq_link; mn_wq_entry() gets back the entry that holds one.
 *
 * Invariants:
 *  - q[0] is the first link or NULL; q[1] the last or NULL; both NULL
 *    together.  First in, first out, unless pushed to the front.
 *  - A link is in at most one list.  The list is guarded by the lock of
 *    the object that owns it (a channel's lock, a sync object's ilock):
 *    every function here must hold that lock, unless the list is a local
 *    one of the caller (the waiters to wake once the lock is dropped).
 *  - Links live on the waiting task's stack, which stays put while the
 *    task is parked: whoever pops a link may use its entry until it
 *    readies the task, not after.
 */
#ifndef MN_WAITQ_H
#define MN_WAITQ_H

#include <stdbool.h>
#include <stddef.h>

struct mn_wq_link {
	struct mn_wq_link *next, *prev;
};

#define mn_wq_entry(link, type, member) ((type *)((char *)(link) - offsetof(type, member)))

static inline bool mn_wq_empty(void *const *q)
{
	return !q[0];
}

static inline void mn_wq_push(void **q, struct mn_wq_link *l)
{
	struct mn_wq_link *tail = q[1];

	l->next = NULL;
	l->prev = tail;
	if (tail)
		tail->next = l;
	else
		q[0] = l;
	q[1] = l;
}

static inline void mn_wq_push_front(void **q, struct mn_wq_link *l)
{
	struct mn_wq_link *head = q[0];

	l->prev = NULL;
	l->next = head;
	if (head)
		head->prev = l;
	else
		q[1] = l;
	q[0] = l;
}

/* l must be in q. */
static inline void mn_wq_remove(void **q, struct mn_wq_link *l)
{
	if (l->prev)
		l->prev->next = l->next;
	else
		q[0] = l->next;
	if (l->next)
		l->next->prev = l->prev;
	else
		q[1] = l->prev;
	l->next = l->prev = NULL;
}

/* The first link, removed; NULL if q is empty. */
static inline struct mn_wq_link *mn_wq_pop(void **q)
{
	struct mn_wq_link *l = q[0];

	if (l)
		mn_wq_remove(q, l);
	return l;
}

#endif
