// SPDX-License-Identifier: GPL-2.0-only
/*
 * The module backend: records from /dev/nstaint (kmod/, docs/kmod.md).
 * The device hands out whole struct nstaint_event records, one reader at
 * a time, from its open() on; this file checks them and passes them on.
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

#include "source/select.h"
#include "model/record.h"

#define KMOD_BATCH	64	/* records per read() */

struct kmod_priv {
	int fd;
	unsigned long long bad;		/* records not understood */
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

static int kmod_open(struct backend *b)
{
	const char *dev = NSTAINT_DEV_PATH;
	struct kmod_priv *p;
	__u32 pid = bpf_backend_opts.follow_pid;
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

/* Deliver every whole, valid record of the @n bytes in p->buf. */
static int kmod_deliver(struct kmod_priv *p, size_t n, event_fn fn,
			void *ctx, int *delivered)
{
	size_t i;
	int ret;

	for (i = 0; (i + 1) * sizeof(p->buf[0]) <= n; i++) {
		const struct nstaint_event *ev = &p->buf[i];

		if (!record_valid(ev)) {
			if (!p->bad++)
				fprintf(stderr, "nstaint: %s: record of "
					"version %u size %u type %u not "
					"understood (module and tool of "
					"different versions?)\n",
					NSTAINT_DEV_PATH, ev->version,
					ev->size, ev->type);
			continue;
		}
		ret = fn(ctx, ev);
		if (ret)
			return ret;
		(*delivered)++;
	}
	return 0;
}

static int kmod_poll(struct backend *b, int timeout_ms, event_fn fn,
		     void *ctx)
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
		ret = kmod_deliver(p, n, fn, ctx, &delivered);
		if (ret)
			return ret;
		if ((size_t)n < sizeof(p->buf))
			break;
	}
	return delivered;
}

static void kmod_close(struct backend *b)
{
	struct kmod_priv *p = b->priv;

	if (!p)
		return;
	if (p->bad)
		fprintf(stderr, "nstaint: %s: %llu records not understood\n",
			NSTAINT_DEV_PATH, p->bad);
	close(p->fd);
	free(p);
	b->priv = NULL;
}

const struct backend_ops backend_kmod_ops = {
	.name = "kmod",
	.open = kmod_open,
	.poll = kmod_poll,
	.close = kmod_close,
};
