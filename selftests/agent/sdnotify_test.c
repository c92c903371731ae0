// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of user/nstaint/agent/sdnotify: the datagram arrives, as systemd would
 * receive it, on a socket the test binds itself (path and abstract).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "../../user/nstaint/agent/sdnotify.h"

FIXTURE(notify) {
	int fd;
	char path[108];
	char buf[256];
};

FIXTURE_SETUP(notify)
{
	self->fd = -1;
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
}

FIXTURE_TEARDOWN(notify)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->path[0] == '/')
		unlink(self->path);
}

/* Bind a datagram socket at @name (a path, or @abstract); 0 or -1. */
static int bind_at(int *fd, const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len = offsetof(struct sockaddr_un, sun_path) + strlen(name);

	*fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (*fd < 0)
		return -1;
	memcpy(sa.sun_path, name, strlen(name));
	if (name[0] == '@')
		sa.sun_path[0] = '\0';
	else
		len++;
	return bind(*fd, (struct sockaddr *)&sa, len);
}

static ssize_t recv_one(int fd, char *buf, size_t sz)
{
	ssize_t n = recv(fd, buf, sz - 1, MSG_DONTWAIT);

	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/* Not under systemd: nothing is sent and that is not an error. */
TEST_F(notify, unset_is_noop)
{
	EXPECT_EQ(0, sdnotify("READY=1"));
}

/* A path socket receives exactly the state, as one datagram. */
TEST_F(notify, path_socket)
{
	snprintf(self->path, sizeof(self->path), "/tmp/sdnotify_test.%d", getpid());
	ASSERT_EQ(0, bind_at(&self->fd, self->path));
	setenv("NOTIFY_SOCKET", self->path, 1);
	EXPECT_EQ(1, sdnotify("READY=1\nSTATUS=attached"));
	EXPECT_EQ(strlen("READY=1\nSTATUS=attached"), recv_one(self->fd, self->buf, sizeof(self->buf)));
	EXPECT_STREQ("READY=1\nSTATUS=attached", self->buf);
	EXPECT_EQ(1, sdnotify("WATCHDOG=1"));
	recv_one(self->fd, self->buf, sizeof(self->buf));
	EXPECT_STREQ("WATCHDOG=1", self->buf);
}

/* An abstract socket ('@' in $NOTIFY_SOCKET, as systemd uses) too. */
TEST_F(notify, abstract_socket)
{
	char name[64];

	snprintf(name, sizeof(name), "@sdnotify_test.%d", getpid());
	ASSERT_EQ(0, bind_at(&self->fd, name));
	setenv("NOTIFY_SOCKET", name, 1);
	EXPECT_EQ(1, sdnotify("READY=1"));
	EXPECT_EQ(7, recv_one(self->fd, self->buf, sizeof(self->buf)));
	EXPECT_STREQ("READY=1", self->buf);
}

/* A named socket nobody listens on, or a relative name: an error. */
TEST_F(notify, errors)
{
	setenv("NOTIFY_SOCKET", "/nonexistent/sdnotify.sock", 1);
	EXPECT_EQ(-ENOENT, sdnotify("READY=1"));
	setenv("NOTIFY_SOCKET", "relative.sock", 1);
	EXPECT_EQ(-EINVAL, sdnotify("READY=1"));
}

/* WATCHDOG_USEC is honoured only for this pid when WATCHDOG_PID is set. */
TEST_F(notify, watchdog_usec)
{
	char pid[16];

	EXPECT_EQ(0, sdnotify_watchdog_usec());
	setenv("WATCHDOG_USEC", "30000000", 1);
	EXPECT_EQ(30000000, sdnotify_watchdog_usec());
	snprintf(pid, sizeof(pid), "%d", getpid());
	setenv("WATCHDOG_PID", pid, 1);
	EXPECT_EQ(30000000, sdnotify_watchdog_usec());
	setenv("WATCHDOG_PID", "1", 1);
	EXPECT_EQ(0, sdnotify_watchdog_usec());
	unsetenv("WATCHDOG_PID");
	setenv("WATCHDOG_USEC", "-5", 1);
	EXPECT_EQ(0, sdnotify_watchdog_usec());
	setenv("WATCHDOG_USEC", "12x", 1);
	EXPECT_EQ(0, sdnotify_watchdog_usec());
}

TEST_HARNESS_MAIN
