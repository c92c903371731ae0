// SPDX-License-Identifier: GPL-2.0-only
/*
 * Symbolization through libdwfl: report the process's mappings from
 * /proc/PID/maps once per pid (cached: the last one used), then look up
 * ELF symbols (Go binaries keep a .symtab unless stripped).
 */
#include <elfutils/libdwfl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "symbolize.h"

static char *debuginfo_path;
static const Dwfl_Callbacks proc_callbacks = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.debuginfo_path = &debuginfo_path,
};

static Dwfl *cached;
static pid_t cached_pid;

static Dwfl *dwfl_for(pid_t pid)
{
	if (cached && cached_pid == pid)
		return cached;
	if (cached)
		dwfl_end(cached);
	cached = dwfl_begin(&proc_callbacks);
	cached_pid = pid;
	if (!cached)
		return NULL;
	if (dwfl_linux_proc_report(cached, pid) || dwfl_report_end(cached, NULL, NULL)) {
		dwfl_end(cached);
		cached = NULL;
	}
	return cached;
}

void symbolize(pid_t pid, uint64_t addr, char *buf, size_t len)
{
	Dwfl *dwfl = dwfl_for(pid);
	Dwfl_Module *mod;
	const char *name, *mname;
	GElf_Off off;
	GElf_Sym sym;

	snprintf(buf, len, "?");
	if (!dwfl)
		return;
	mod = dwfl_addrmodule(dwfl, addr);
	if (!mod)
		return;
	mname = dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
	name = dwfl_module_addrinfo(mod, addr, &off, &sym, NULL, NULL, NULL);
	if (mname && strrchr(mname, '/'))
		mname = strrchr(mname, '/') + 1;
	if (name)
		snprintf(buf, len, "%s+0x%" PRIx64 " (%s)", name, (uint64_t)off,
			 mname ? mname : "?");
	else if (mname)
		snprintf(buf, len, "? (%s)", mname);
}
