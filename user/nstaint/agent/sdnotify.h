/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sdnotify: systemd's readiness and watchdog protocol, by hand (no
 * libsystemd): one datagram of "KEY=VALUE\n" lines to the AF_UNIX socket
 * named by $NOTIFY_SOCKET (a path, or '@' for the abstract namespace).
 */
#ifndef NSTAINT_AGENT_SDNOTIFY_H
#define NSTAINT_AGENT_SDNOTIFY_H

#include <stdint.h>

/*
 * Send @state ("READY=1", "WATCHDOG=1", "STATUS=..."). 0 when
 * $NOTIFY_SOCKET is unset (not under systemd: nothing to do), 1 when
 * sent, -errno when the socket is named but the send failed.
 */
int sdnotify(const char *state);

/*
 * The watchdog interval systemd asks for ($WATCHDOG_USEC, for this pid
 * if $WATCHDOG_PID is set), in microseconds; 0 when there is none.
 * Send WATCHDOG=1 at half of it.
 */
uint64_t sdnotify_watchdog_usec(void);

#endif
