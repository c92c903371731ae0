// SPDX-License-Identifier: GPL-2.0-only
/*
 * The module backend: records from /dev/nstaint (kmod/nstaint_main.c).
 * The device hands out whole struct nstaint_event records, one reader at
 * a time; this file only checks them and passes them on.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"

#define KMOD_DEV	"/dev/nstaint"
#define KMOD_BATCH	64	/* records per read() */

struct kmod_priv {
	int fd;
	unsigned long long bad;		/* records rejected */
	struct nstaint_event buf[KMOD_BATCH];
};

static int kmod_open(struct backend *b)
{
	const char *dev = getenv("NSTAINT_KMOD_DEV");
	struct kmod_priv *p;
	int err;

	if (!dev || !*dev)
		dev = KMOD_DEV;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->fd = open(dev, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (p->fd < 0) {
		err = -errno;
		if (err == -ENOENT || err == -ENXIO || err == -ENODEV)
			fprintf(stderr, "nstaint: %s: module not loaded: "
				"modprobe nstaint (or insmod kmod/nstaint.ko)\n",
				dev);
		else if (err == -EACCES || err == -EPERM)
			fprintf(stderr, "nstaint: %s: permission denied: "
				"the module backend needs root\n", dev);
		else if (err == -EBUSY)
			fprintf(stderr, "nstaint: %s: busy: another reader "
				"has it open (one reader at a time)\n", dev);
		else
			fprintf(stderr, "nstaint: %s: %s\n", dev,
				strerror(-err));
		free(p);
		return err;
	}
	b->priv = p;
	return 0;
}

/* Deliver every whole, valid record in @n bytes of p->buf. */
static int kmod_deliver(struct kmod_priv *p, size_t n, event_fn fn,
			void *ctx, int *delivered)
{
	size_t i;
	int ret;

	for (i = 0; (i + 1) * sizeof(p->buf[0]) <= n; i++) {
		const struct nstaint_event *ev = &p->buf[i];

		if (ev->version != NSTAINT_ABI_VERSION ||
		    ev->size != sizeof(*ev) || !ev->type ||
		    ev->type >= NSTAINT_EV_TYPE_COUNT) {
			if (!p->bad++)
				fprintf(stderr, "nstaint: /dev/nstaint: record "
					"of version %u size %u type %u not "
					"understood (module and tool from "
					"different versions?)\n", ev->version,
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
		if (n % sizeof(p->buf[0]))
			fprintf(stderr, "nstaint: /dev/nstaint: short read of "
				"%zd bytes ignored\n", n);
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
