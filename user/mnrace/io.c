// SPDX-License-Identifier: GPL-2.0-only
/*
 * The buffers of read/write-like calls count as accesses: what the
 * kernel fills is written by the caller, what it sends is read (only the
 * bytes actually transferred).  Before the runtime has found glibc's
 * functions (a fatal message at start), the calls go to the kernel
 * directly.  glibc's own stdio uses internal entry points: not seen.
 */
#include <sys/syscall.h>
#include <unistd.h>

#include "access.h"
#include "init.h"
#include "real.h"
#include "scope.h"

/* The buffer of the call @fn made at @pc: accessed in @fn's frame (scope.h). */
static void io_done(const void *buf, ssize_t n, bool is_write, uintptr_t pc, const void *fn)
{
	struct task *t;

	if (n <= 0 || !mnr_ready())
		return;
	t = task_cur();
	access_range(t, (uintptr_t)buf, n, is_write, scope_enter(t, pc, fn));
	scope_exit(t);
}

MNR_EXPORT ssize_t read(int fd, void *buf, size_t n)
{
	ssize_t r = REAL(read) ? REAL(read)(fd, buf, n) : syscall(SYS_read, fd, buf, n);

	io_done(buf, r, true, MNR_PC(), read);
	return r;
}

MNR_EXPORT ssize_t write(int fd, const void *buf, size_t n)
{
	ssize_t r = REAL(write) ? REAL(write)(fd, buf, n) : syscall(SYS_write, fd, buf, n);

	io_done(buf, r, false, MNR_PC(), write);
	return r;
}

MNR_EXPORT ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
	ssize_t r = REAL(pread) ? REAL(pread)(fd, buf, n, off) :
				  syscall(SYS_pread64, fd, buf, n, off);

	io_done(buf, r, true, MNR_PC(), pread);
	return r;
}

MNR_EXPORT ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	ssize_t r = REAL(pwrite) ? REAL(pwrite)(fd, buf, n, off) :
				   syscall(SYS_pwrite64, fd, buf, n, off);

	io_done(buf, r, false, MNR_PC(), pwrite);
	return r;
}

MNR_EXPORT ssize_t recv(int fd, void *buf, size_t n, int flags)
{
	ssize_t r = REAL(recv) ? REAL(recv)(fd, buf, n, flags) :
				 syscall(SYS_recvfrom, fd, buf, n, flags, NULL, NULL);

	io_done(buf, r, true, MNR_PC(), recv);
	return r;
}

MNR_EXPORT ssize_t send(int fd, const void *buf, size_t n, int flags)
{
	ssize_t r = REAL(send) ? REAL(send)(fd, buf, n, flags) :
				 syscall(SYS_sendto, fd, buf, n, flags, NULL, 0);

	io_done(buf, r, false, MNR_PC(), send);
	return r;
}

MNR_EXPORT ssize_t recvfrom(int fd, void *buf, size_t n, int flags,
			    struct sockaddr *sa, socklen_t *len)
{
	ssize_t r = REAL(recvfrom) ? REAL(recvfrom)(fd, buf, n, flags, sa, len) :
				     syscall(SYS_recvfrom, fd, buf, n, flags, sa, len);

	io_done(buf, r, true, MNR_PC(), recvfrom);
	return r;
}

MNR_EXPORT ssize_t sendto(int fd, const void *buf, size_t n, int flags,
			  const struct sockaddr *sa, socklen_t len)
{
	ssize_t r = REAL(sendto) ? REAL(sendto)(fd, buf, n, flags, sa, len) :
				   syscall(SYS_sendto, fd, buf, n, flags, sa, len);

	io_done(buf, r, false, MNR_PC(), sendto);
	return r;
}
