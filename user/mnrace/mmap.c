// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmap and munmap, interposed: a fresh mapping is new memory, whatever
 * was at those addresses before (a freed thread stack, a libmn task stack
 * returned to the kernel), so its shadow is reset; so is an unmapped
 * range's.  The system call is made directly: the runtime's own mappings
 * come through here too, before the shadow exists.
 */
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "init.h"
#include "shadow.h"

MNR_EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void *p = (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);

	if (p != MAP_FAILED && mnr_ready())
		shadow_reset((uintptr_t)p, len);
	return p;
}

MNR_EXPORT void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
	__attribute__((alias("mmap")));

MNR_EXPORT int munmap(void *addr, size_t len)
{
	int err = syscall(SYS_munmap, addr, len);

	if (!err && mnr_ready())
		shadow_reset((uintptr_t)addr, len);
	return err;
}
