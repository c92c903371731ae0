// SPDX-License-Identifier: GPL-2.0-only
/*
 * The record ring and /dev/nstaint: one reader at a time, whole records,
 * poll, O_NONBLOCK.  Records are queued only while the device is open;
 * a reader sees what happened from its open() on, like the BPF backend.
 *
 * Unload: the open file pins the module (fops.owner), so rmmod with a
 * reader open fails (EBUSY/EWOULDBLOCK) and no reader is ever blocked
 * here when the module goes away; the reader closes first.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/wait.h>
#include <linux/vmalloc.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/timekeeping.h>
#include <linux/pid.h>
#include <linux/sched/task.h>
#include <nstaint/dev.h>

#include "nst.h"

static unsigned int bufsize = 4096;
module_param(bufsize, uint, 0444);
MODULE_PARM_DESC(bufsize, "ring buffer size in records (2..1048576)");

#define NST_RING_MIN	2
#define NST_RING_MAX	BIT(20)

/*
 * Statistics, readable without a reader in /sys/module/nstaint/parameters/.
 * emitted: records queued; dropped: records lost to a full ring;
 * readers: 1 while the device is open; processes: home sets held;
 * untracked: processes that could not be tracked (no memory).
 */
static unsigned long nst_stat_emitted;
static unsigned long nst_stat_dropped;
static unsigned int nst_stat_readers;
module_param_named(emitted, nst_stat_emitted, ulong, 0444);
module_param_named(dropped, nst_stat_dropped, ulong, 0444);
module_param_named(readers, nst_stat_readers, uint, 0444);
module_param_named(processes, nst_stat_processes, ulong, 0444);
module_param_named(untracked, nst_stat_untracked, ulong, 0444);

/*
 * The ring: @bufsize records; @head counts records written, @tail records
 * read (both only grow; index = counter % bufsize).  @lost counts records
 * dropped since the last `lost` record was queued.
 * Invariant: records queued + the counts of `lost` records (queued or
 * still pending in nst_lost) == records submitted while a reader was open.
 */
static struct nstaint_event *nst_ring;
static u64 nst_head, nst_tail, nst_lost;
static bool nst_reader;
/*
 * Each open() is a new reader generation; once it has followed a process
 * (NSTAINT_IOC_FOLLOW), nst_follow_only is set and only processes whose
 * nst_proc carries that generation are reported.
 */
static u32 nst_gen;
static bool nst_follow_only;
static DEFINE_SPINLOCK(nst_ring_lock);
static DECLARE_WAIT_QUEUE_HEAD(nst_wait);

/* The common header of a record about task @t. */
void nst_fill(struct nstaint_event *ev, u16 type, u16 cause,
	      struct task_struct *t)
{
	memset(ev, 0, sizeof(*ev));
	ev->version = NSTAINT_ABI_VERSION;
	ev->type = type;
	ev->size = sizeof(*ev);
	ev->cause = cause;
	ev->syscall_nr = -1;
	ev->ts_ns = ktime_get_ns();
	ev->pid = task_tgid_nr(t);
	ev->tid = task_pid_nr(t);
	/* Unlocked like the BPF side: a racing rename can tear the name. */
	memcpy(ev->comm, t->comm, min(sizeof(ev->comm), sizeof(t->comm)));
	ev->comm[NSTAINT_COMM_LEN - 1] = '\0';
}

static void nst_fill_lost(struct nstaint_event *ev, u64 count)
{
	memset(ev, 0, sizeof(*ev));
	ev->version = NSTAINT_ABI_VERSION;
	ev->type = NSTAINT_EV_LOST;
	ev->size = sizeof(*ev);
	ev->syscall_nr = -1;
	ev->lost_reason = NSTAINT_LOST_RINGBUF;
	ev->ts_ns = ktime_get_ns();
	ev->count = count;
}

static inline u64 nst_used(void)
{
	return nst_head - nst_tail;
}

/*
 * Queue @ev.  A `lost` record with the count of records dropped so far
 * goes in first, so the reader learns of a gap where it happened; that
 * needs two free slots, otherwise @ev is dropped and counted too.
 * Process context only (the hooks), outside any scheduler lock: it wakes
 * the reader.
 */
void nst_submit(const struct nstaint_event *ev)
{
	unsigned long flags;
	bool wake = false;
	u32 gen = nst_follow_gen();

	if (gen && nst_proc_follow_gen(ev->pid) != gen)
		return;
	spin_lock_irqsave(&nst_ring_lock, flags);
	if (!nst_reader)
		goto out_unlock;
	if (nst_used() + (nst_lost ? 2 : 1) > bufsize) {
		nst_lost++;
		nst_stat_dropped++;
		goto out_unlock;
	}
	if (nst_lost) {
		nst_fill_lost(&nst_ring[nst_head % bufsize], nst_lost);
		nst_head++;
		nst_lost = 0;
	}
	nst_ring[nst_head % bufsize] = *ev;
	nst_head++;
	nst_stat_emitted++;
	wake = true;
out_unlock:
	spin_unlock_irqrestore(&nst_ring_lock, flags);
	if (wake)
		wake_up_interruptible(&nst_wait);
}

/* The reader generation when it follows some processes only, else 0. */
u32 nst_follow_gen(void)
{
	return READ_ONCE(nst_follow_only) ? READ_ONCE(nst_gen) : 0;
}

static int nst_open(struct inode *inode, struct file *file)
{
	unsigned long flags;
	int err = 0;

	if ((file->f_flags & O_ACCMODE) != O_RDONLY)
		return -EINVAL;
	spin_lock_irqsave(&nst_ring_lock, flags);
	if (nst_reader) {
		err = -EBUSY;
	} else {
		nst_reader = true;
		nst_stat_readers = 1;
		nst_head = 0;
		nst_tail = 0;
		nst_lost = 0;
		nst_follow_only = false;
		if (!++nst_gen)
			nst_gen = 1;
	}
	spin_unlock_irqrestore(&nst_ring_lock, flags);
	return err ? err : nonseekable_open(inode, file);
}

static int nst_release(struct inode *inode, struct file *file)
{
	unsigned long flags;

	spin_lock_irqsave(&nst_ring_lock, flags);
	nst_reader = false;
	nst_stat_readers = 0;
	spin_unlock_irqrestore(&nst_ring_lock, flags);
	return 0;
}

/* Take the oldest record, or a `lost` record for a gap at the end. */
static bool nst_take(struct nstaint_event *ev)
{
	unsigned long flags;
	bool got = true;

	spin_lock_irqsave(&nst_ring_lock, flags);
	if (nst_used()) {
		*ev = nst_ring[nst_tail % bufsize];
		nst_tail++;
	} else if (nst_lost) {
		nst_fill_lost(ev, nst_lost);
		nst_lost = 0;
	} else {
		got = false;
	}
	spin_unlock_irqrestore(&nst_ring_lock, flags);
	return got;
}

static bool nst_readable(void)
{
	unsigned long flags;
	bool ready;

	spin_lock_irqsave(&nst_ring_lock, flags);
	ready = nst_used() || nst_lost;
	spin_unlock_irqrestore(&nst_ring_lock, flags);
	return ready;
}

/* Whole records only: @count must hold at least one. */
static ssize_t nst_read(struct file *file, char __user *buf, size_t count,
			loff_t *ppos)
{
	struct nstaint_event ev;
	size_t done = 0;
	int err;

	if (count < sizeof(ev))
		return -EINVAL;
	while (!nst_readable()) {
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		err = wait_event_interruptible(nst_wait, nst_readable());
		if (err)
			return err;
	}
	while (count - done >= sizeof(ev) && nst_take(&ev)) {
		/* A record taken but not copied is lost: count it. */
		if (copy_to_user(buf + done, &ev, sizeof(ev))) {
			spin_lock_irq(&nst_ring_lock);
			nst_lost += ev.type == NSTAINT_EV_LOST ? ev.count : 1;
			spin_unlock_irq(&nst_ring_lock);
			return done ? done : -EFAULT;
		}
		done += sizeof(ev);
	}
	return done;
}

/* NSTAINT_IOC_FOLLOW: see include/nstaint/dev.h. */
static long nst_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct task_struct *t;
	struct nst_set home;
	unsigned long flags;
	struct pid *pid;
	u32 nr;

	if (cmd != NSTAINT_IOC_FOLLOW)
		return -ENOTTY;
	if (get_user(nr, (u32 __user *)arg))
		return -EFAULT;
	pid = find_get_pid(nr);
	t = get_pid_task(pid, PIDTYPE_PID);
	put_pid(pid);
	if (!t)
		return -ESRCH;
	nst_home_of_task(t, &home);
	nst_proc_follow(task_tgid_nr(t), READ_ONCE(nst_gen));
	put_task_struct(t);
	spin_lock_irqsave(&nst_ring_lock, flags);
	nst_follow_only = true;
	spin_unlock_irqrestore(&nst_ring_lock, flags);
	return 0;
}

static __poll_t nst_poll(struct file *file, poll_table *wait)
{
	poll_wait(file, &nst_wait, wait);
	return nst_readable() ? EPOLLIN | EPOLLRDNORM : 0;
}

static const struct file_operations nst_fops = {
	.owner = THIS_MODULE,
	.open = nst_open,
	.release = nst_release,
	.read = nst_read,
	.poll = nst_poll,
	.unlocked_ioctl = nst_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = no_llseek,
};

static struct miscdevice nst_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "nstaint",
	.fops = &nst_fops,
	.mode = 0600,
};

/* The ring first, the device last: an open finds everything ready. */
int nst_dev_init(void)
{
	int err;

	/* The ABI's record size (selftests/abi checks userspace and BPF). */
	BUILD_BUG_ON(sizeof(struct nstaint_event) != 336);

	if (bufsize < NST_RING_MIN || bufsize > NST_RING_MAX) {
		pr_err("bufsize %u out of range %u..%lu\n", bufsize,
		       NST_RING_MIN, NST_RING_MAX);
		return -EINVAL;
	}
	nst_ring = vmalloc(array_size(bufsize, sizeof(*nst_ring)));
	if (!nst_ring)
		return -ENOMEM;
	err = misc_register(&nst_misc);
	if (err)
		goto err_free_ring;
	return 0;

err_free_ring:
	vfree(nst_ring);
	return err;
}

/*
 * After the hooks are gone (nstaint_main.c), so no nst_submit runs; no
 * reader either, since an open file pins the module.
 */
void nst_dev_exit(void)
{
	misc_deregister(&nst_misc);
	vfree(nst_ring);
}
