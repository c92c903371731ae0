/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The /dev/nstaint interface of nstaint.ko (kmod/), beyond read() and
 * poll() of struct nstaint_event records (events.h).  Shared by the module
 * and its reader (user/nstaint/source/kmod.c).
 */
#ifndef NSTAINT_DEV_H
#define NSTAINT_DEV_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define NSTAINT_DEV_PATH	"/dev/nstaint"

/*
 * Follow process @pid (a __u32 in the caller's pid namespace) and every
 * process it forks from now on; once a reader has followed one, records
 * of processes it does not follow are not queued (the BPF backend's -p).
 * Any number of calls; a new open() starts with every process again.
 * ESRCH: no such process.
 */
#define NSTAINT_IOC_FOLLOW	_IOW('N', 1, __u32)

#endif /* NSTAINT_DEV_H */
