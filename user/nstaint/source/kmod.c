// SPDX-License-Identifier: GPL-2.0-only
/*
 * The module backend: records from /dev/nstaint (kmod/, docs/kmod.md).
 * The device hands out whole struct nstaint_event records, one reader at
 * a time, from its open() on; this file passes them on (the pipeline
 * checks them, as it does every source's).
 * Following a process tree (-p, -- CMD) is done by the module
 * (NSTAINT_IOC_FOLLOW), so records of other processes never reach us.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <nstaint/dev.h>

#include "source/source.h"

#define KMOD_BATCH	64	/* records per read() */

struct kmod_priv {
	int fd;
	struct nstaint_event buf[KMOD_BATCH];
};

static void kmod_open_error(const char *dev, int err)
{
	switch (err) {
	case ENOENT:
	case ENXIO:
	case ENODEV:
		if (access("/sys/module/nstaint", F_OK))
			fprintf(stderr, "nstaint: the nstaint module is not "
				"loaded: modprobe nstaint (or insmod "
				"kmod/nstaint.ko; see docs/kmod.md)\n");
		else
			fprintf(stderr, "nstaint: %s: %s, though the module "
				"is loaded (no devtmpfs/udev?)\n", dev,
				strerror(err));
		break;
	case EACCES:
	case EPERM:
		fprintf(stderr, "nstaint: %s: permission denied: the kmod "
			"backend needs root\n", dev);
		break;
	case EBUSY:
		fprintf(stderr, "nstaint: %s: busy: another reader has it "
			"open (one reader at a time)\n", dev);
		break;
	default:
		fprintf(stderr, "nstaint: %s: %s\n", dev, strerror(err));
	}
}

static int kmod_open(struct source *b, const struct source_opts *o)
{
	const char *dev = NSTAINT_DEV_PATH;
	struct kmod_priv *p;
	__u32 pid = o->follow_pid;
	int err;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->fd = open(dev, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (p->fd < 0) {
		err = errno;
		kmod_open_error(dev, err);
		free(p);
		return -err;
	}
	if (pid && ioctl(p->fd, NSTAINT_IOC_FOLLOW, &pid)) {
		err = errno;
		fprintf(stderr, "nstaint: %s: cannot follow pid %u: %s\n",
			dev, pid, strerror(err));
		close(p->fd);
		free(p);
		return -err;
	}
	b->priv = p;
	return 0;
}

/* Deliver every whole record of the @n bytes in p->buf. */
static int kmod_deliver(struct kmod_priv *p, size_t n,
			const struct source_out *out, int *delivered)
{
	size_t i;
	int ret;

	for (i = 0; (i + 1) * sizeof(p->buf[0]) <= n; i++) {
		ret = out->record(out->ctx, &p->buf[i]);
		if (ret)
			return ret;
		(*delivered)++;
	}
	return 0;
}

static int kmod_poll(struct source *b, int timeout_ms,
		     const struct source_out *out)
{
	struct kmod_priv *p = b->priv;
	struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
	int delivered = 0, ret;
	ssize_t n;

	ret = poll(&pfd, 1, timeout_ms);
	if (ret < 0)
		return errno == EINTR ? 0 : -errno;
	if (ret == 0)
		return 0;
	for (;;) {
		n = read(p->fd, p->buf, sizeof(p->buf));
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			return -errno;
		}
		if (n == 0)
			break;
		/* The module returns whole records only. */
		ret = kmod_deliver(p, n, out, &delivered);
		if (ret)
			return ret;
		if ((size_t)n < sizeof(p->buf))
			break;
	}
	return delivered;
}

static void kmod_close(struct source *b)
{
	struct kmod_priv *p = b->priv;

	if (!p)
		return;
	close(p->fd);
	free(p);
	b->priv = NULL;
}

static const char *kmod_hook(const struct source *b)
{
	return "kprobe";	/* switch_task_namespaces (docs/kmod.md) */
}

const struct source_ops source_kmod_ops = {
	.name = "kmod",
	.caps = 0,		/* no stacks, no user tasks, no lazy mode */
	.open = kmod_open,
	.poll = kmod_poll,
	.close = kmod_close,
	.hook = kmod_hook,
};
