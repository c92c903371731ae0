// SPDX-License-Identifier: GPL-2.0-only
/*
 * httpd: see httpd.h.  Limits: 16 connections at once and a 10 s idle
 * timeout, enough for Prometheus and a probe or two, and a bound on what
 * a misbehaving client can hold.  Each scrape writes the page afresh
 * into a buffer owned by the connection's response (copied by MHD).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <microhttpd.h>

#include "httpd.h"

struct httpd {
	struct MHD_Daemon *mhd;
	struct httpd_handlers h;
	int port;
};

int httpd_parse_address(const char *s, struct sockaddr_storage *ss, socklen_t *len,
			const char **why)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon, *p;
	unsigned long port;
	size_t hl;
	char *end;

	memset(ss, 0, sizeof(*ss));
	colon = strrchr(s, ':');
	if (!colon || colon == s) {
		*why = "expected HOST:PORT (numeric address)";
		return -EINVAL;
	}
	p = colon + 1;
	if (*p < '0' || *p > '9') {
		*why = "the port must be a number from 0 to 65535";
		return -EINVAL;
	}
	errno = 0;
	port = strtoul(p, &end, 10);
	if (errno || *end || port > 65535) {
		*why = "the port must be a number from 0 to 65535";
		return -EINVAL;
	}
	hl = colon - s;
	if (hl >= sizeof(host)) {
		*why = "the address is not a numeric IPv4 or [IPv6] address";
		return -EINVAL;
	}
	memcpy(host, s, hl);
	host[hl] = '\0';
	if (host[0] == '[') {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

		if (hl < 3 || host[hl - 1] != ']') {
			*why = "an IPv6 address goes in brackets: [::1]:PORT";
			return -EINVAL;
		}
		host[hl - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &a6->sin6_addr) != 1) {
			*why = "the address is not a numeric IPv4 or [IPv6] address";
			return -EINVAL;
		}
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		*len = sizeof(*a6);
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &a4->sin_addr) != 1) {
			*why = "the address is not a numeric IPv4 or [IPv6] address";
			return -EINVAL;
		}
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		*len = sizeof(*a4);
	}
	return 0;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int status,
			     const char *type, const char *body, size_t len)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

#define TEXT "text/plain; charset=utf-8"

static enum MHD_Result serve_metrics(struct httpd *d, struct MHD_Connection *c)
{
	struct promtext page;
	enum MHD_Result ret;
	int err;

	promtext_init(&page);
	err = d->h.metrics(&page, d->h.arg);
	if (err || promtext_oom(&page)) {
		/* Half a page would read as series that vanished. */
		promtext_free(&page);
		return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, TEXT,
			     "metrics unavailable\n", strlen("metrics unavailable\n"));
	}
	ret = reply(c, MHD_HTTP_OK, PROMTEXT_CONTENT_TYPE, page.buf ? page.buf : "", page.len);
	promtext_free(&page);
	return ret;
}

static enum MHD_Result serve_probe(struct MHD_Connection *c, bool good, const char *yes,
				   const char *no)
{
	const char *body = good ? yes : no;

	return reply(c, good ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE, TEXT, body,
		     strlen(body));
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload, size_t *upload_size, void **state)
{
	struct httpd *d = cls;

	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, TEXT, "method not allowed\n",
			     strlen("method not allowed\n"));
	if (!strcmp(url, "/metrics"))
		return serve_metrics(d, c);
	if (!strcmp(url, "/healthz"))
		return serve_probe(c, d->h.healthy(d->h.arg), "ok\n", "main loop stalled\n");
	if (!strcmp(url, "/readyz"))
		return serve_probe(c, d->h.ready(d->h.arg), "ready\n", "not ready\n");
	return reply(c, MHD_HTTP_NOT_FOUND, TEXT, "not found: try /metrics\n",
		     strlen("not found: try /metrics\n"));
}

struct httpd *httpd_start(const char *address, const struct httpd_handlers *h,
			  char *err, size_t errsz)
{
	const union MHD_DaemonInfo *info;
	struct sockaddr_storage ss;
	unsigned int flags;
	struct httpd *d;
	const char *why;
	socklen_t len;

	if (httpd_parse_address(address, &ss, &len, &why)) {
		snprintf(err, errsz, "bad listen address '%s': %s", address, why);
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	d->h = *h;
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	d->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, d,
				  MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				  MHD_OPTION_CONNECTION_LIMIT, 16u,
				  MHD_OPTION_CONNECTION_TIMEOUT, 10u,
				  MHD_OPTION_END);
	if (!d->mhd) {
		/* MHD does not say why; binding is what fails in practice. */
		snprintf(err, errsz, "cannot listen on %s (in use, or not an address of this host?)",
			 address);
		free(d);
		return NULL;
	}
	info = MHD_get_daemon_info(d->mhd, MHD_DAEMON_INFO_BIND_PORT);
	d->port = info ? info->port : 0;
	return d;
}

int httpd_port(const struct httpd *d)
{
	return d->port;
}

void httpd_stop(struct httpd *d)
{
	if (!d)
		return;
	MHD_stop_daemon(d->mhd);
	free(d);
}
