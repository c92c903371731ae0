/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * httpd: the agent's HTTP endpoint (libmicrohttpd, one internal thread):
 *   /metrics  the page the metrics callback writes, Prometheus text 0.0.4
 *   /healthz  200 "ok", or 503 when the main loop has stalled
 *   /readyz   200 "ready", or 503 until the backend is attached and seeded
 * GET and HEAD only (405 otherwise), 404 for any other path.  The
 * callbacks run on the server's thread: the state they read must be
 * safe to read from there (the agent takes its lock).
 */
#ifndef NSTAINT_AGENT_HTTPD_H
#define NSTAINT_AGENT_HTTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "promtext.h"

struct httpd_handlers {
	int (*metrics)(struct promtext *page, void *arg);	/* 0 or -errno */
	bool (*healthy)(void *arg);
	bool (*ready)(void *arg);
	void *arg;
};

struct httpd;

/*
 * "HOST:PORT" with a numeric IPv4 address or "[IPv6]:PORT", PORT 0 to
 * 65535 (0: the kernel picks, for tests).  No names: the listen address
 * must not depend on DNS.  0, or -EINVAL with a reason in @why.
 */
int httpd_parse_address(const char *s, struct sockaddr_storage *ss, socklen_t *len,
			const char **why);

/* Listen on @address and serve.  NULL with a reason in @err on failure. */
struct httpd *httpd_start(const char *address, const struct httpd_handlers *h,
			  char *err, size_t errsz);
int httpd_port(const struct httpd *d);		/* the port listened on */
void httpd_stop(struct httpd *d);

#endif
