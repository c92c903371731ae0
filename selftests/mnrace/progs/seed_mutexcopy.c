// SPDX-License-Identifier: GPL-2.0-only
/* Seed pattern: a mutex copied by value.  The racy task gets the account
 * by value and locks its own copy of the mutex; the fixed one gets a
 * pointer and locks the one mutex. */
#include "mntest.h"

struct account {
	mn_mutex mu;
	int *balance;
};

static int balance;
static struct account acct = { .balance = &balance };
static struct account copy;

static void deposit(struct account *a)
{
	mn_mutex_lock(&a->mu);
	*a->balance += 10; // mark:first
	mn_mutex_unlock(&a->mu);
}

static void worker(void *arg)
{
	deposit(arg);
	step();
}

static int test_main(void *arg)
{
	copy = acct;	/* by value: the mutex too */
	mn_go(worker, racy ? &copy : &acct);
	step();
	mn_mutex_lock(&acct.mu);
	balance -= 10; // mark:second
	mn_mutex_unlock(&acct.mu);
	return balance;
}

MNTEST_MAIN(2)
