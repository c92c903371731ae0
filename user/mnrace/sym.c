// SPDX-License-Identifier: GPL-2.0-only
/*
 * Symbolizing this process (sym.h).  One Dwfl, built at the first report
 * from /proc/self/maps, and built again when a code address falls in no
 * module (a library dlopen'ed since), at most MAX_LOADS times.  An old
 * Dwfl is never ended: the strings a report already holds point into it.
 * Only the report path calls here, under the report lock.
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <dlfcn.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sym.h"

static char *debuginfo_path;
static const Dwfl_Callbacks callbacks = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.debuginfo_path = &debuginfo_path,
};
static Dwfl *dwfl;
static unsigned loads;
#define MAX_LOADS 16

static void load(void)
{
	Dwfl *d;

	if (loads++ >= MAX_LOADS)
		return;
	d = dwfl_begin(&callbacks);
	if (!d)
		return;
	dwfl_report_begin(d);
	if (dwfl_linux_proc_report(d, getpid()) != 0) {
		dwfl_end(d);
		return;
	}
	dwfl_report_end(d, NULL, NULL);
	dwfl = d;	/* the old one, if any, stays: see above */
}

/* @code: an address that must be in some module, worth a new look. */
static Dwfl_Module *module_of(uintptr_t a, bool code)
{
	Dwfl_Module *m;

	if (!dwfl)
		load();
	if (!dwfl)
		return NULL;
	m = dwfl_addrmodule(dwfl, a);
	if (!m && code) {
		load();
		m = dwfl ? dwfl_addrmodule(dwfl, a) : NULL;
	}
	return m;
}

/*
 * A C++ symbol's readable name, with libstdc++'s demangler when the
 * program has one (a C program has none: the name stays as it is).
 * Demangled names are kept for good, like every string a report uses.
 */
static const char *demangle(const char *name)
{
	static char *(*cxa_demangle)(const char *, char *, size_t *, int *);
	static bool looked;
	char *d;
	int st;

	if (!name || strncmp(name, "_Z", 2))
		return name;
	if (!looked) {
		looked = true;
		cxa_demangle = (char *(*)(const char *, char *, size_t *, int *))
			dlsym(RTLD_DEFAULT, "__cxa_demangle");
	}
	if (!cxa_demangle || !(d = cxa_demangle(name, NULL, NULL, &st)) || st)
		return name;
	return d;
}

static const char *base_name(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;

	return s ? s + 1 : path;
}

/*
 * The compilation unit holding @a.  Without .debug_aranges (clang emits
 * none unless asked, -gdwarf-aranges) libdw 0.188 finds none: then the
 * unit whose ranges hold the address is looked up directly.
 */
static Dwarf_Die *cu_of(Dwfl_Module *m, uintptr_t a, Dwarf_Addr *bias)
{
	Dwarf_Die *cu = dwfl_module_addrdie(m, a, bias);

	if (cu)
		return cu;
	while ((cu = dwfl_module_nextcu(m, cu, bias)))
		if (dwarf_haspc(cu, a - *bias) > 0)
			return cu;
	return NULL;
}

/* file:line of @a from the line table. */
static bool line_of(Dwfl_Module *m, Dwarf_Die *cu, Dwarf_Addr bias, uintptr_t a,
		    const char **file, int *line)
{
	Dwfl_Line *fl = dwfl_module_getsrc(m, a);
	Dwarf_Line *l;

	if (fl) {
		*file = dwfl_lineinfo(fl, NULL, line, NULL, NULL, NULL);
		return *file;
	}
	if (!cu || !(l = dwarf_getsrc_die(cu, a - bias)))
		return false;
	*file = dwarf_linesrc(l, NULL, NULL);
	return *file && !dwarf_lineno(l, line);
}

/* Where the inlined call @die was made: DW_AT_call_file and _line. */
static void call_site(Dwarf_Die *cu, Dwarf_Die *die, struct sym_code *f)
{
	Dwarf_Attribute at;
	Dwarf_Word idx, line;
	Dwarf_Files *files;
	size_t nfiles;

	f->file = NULL;
	if (dwarf_formudata(dwarf_attr(die, DW_AT_call_file, &at), &idx) ||
	    dwarf_formudata(dwarf_attr(die, DW_AT_call_line, &at), &line) ||
	    dwarf_getsrcfiles(cu, &files, &nfiles) || idx >= nfiles)
		return;
	f->file = dwarf_filesrc(files, idx, NULL, NULL);
	f->line = line;
}

int sym_code(uintptr_t pc, struct sym_code *out, int max)
{
	/* The call instruction ends at the return address. */
	uintptr_t a = pc ? pc - 1 : 0;
	Dwfl_Module *m = module_of(a, true);
	Dwarf_Die *cu, *scopes = NULL;
	const char *mname, *sym;
	Dwarf_Addr start, bias = 0;
	GElf_Off off = 1;
	GElf_Sym esym;
	int n, k = 0;

	memset(out, 0, sizeof(*out));
	out->modoff = pc;
	if (!m)
		return 1;
	mname = dwfl_module_info(m, NULL, &start, NULL, NULL, NULL, NULL, NULL);
	out->module = base_name(mname);
	out->modoff = pc - start;
	out->func = demangle(dwfl_module_addrinfo(m, a, &off, &esym, NULL, NULL, NULL));
	cu = cu_of(m, a, &bias);
	if (!line_of(m, cu, bias, a, &out->file, &out->line))
		out->file = NULL;
	/*
	 * A function's first byte is the function itself, whatever its
	 * first instruction was inlined from: no return address is looked
	 * up there (a call ends past it), only an interceptor's own frame
	 * (scope.h), which names the interceptor.
	 */
	if (out->func && !off)
		return 1;
	if (!cu || (n = dwarf_getscopes(cu, a - bias, &scopes)) <= 0)
		return 1;
	/*
	 * Innermost scope first: each inlined subroutine is a frame named
	 * by its origin, and the frame outside it is at the inlined call's
	 * site; the outermost frame is the function the ELF symbol names.
	 * libdw may follow an inlined call with its abstract definition (a
	 * subprogram with DW_AT_inline): not a frame.  A concrete
	 * subprogram ends the chain.
	 */
	sym = out[0].func;
	for (int i = 0; i < n && k + 1 < max; i++) {
		int tag = dwarf_tag(&scopes[i]);
		const char *name;

		if (tag == DW_TAG_subprogram && !dwarf_hasattr(&scopes[i], DW_AT_inline))
			break;
		if (tag != DW_TAG_inlined_subroutine)
			continue;
		name = dwarf_diename(&scopes[i]);
		out[k].func = name ? name : sym;
		out[k + 1] = out[0];
		out[k + 1].func = sym;
		call_site(cu, &scopes[i], &out[k + 1]);
		k++;
	}
	free(scopes);
	return k + 1;
}

bool sym_data(uintptr_t addr, const char **name, uintptr_t *startp, size_t *size,
	      const char **module, uintptr_t *modoff)
{
	Dwfl_Module *m = module_of(addr, false);
	GElf_Sym sym;
	GElf_Off off;
	Dwarf_Addr start;
	const char *s, *mname;

	if (!m)
		return false;
	s = dwfl_module_addrinfo(m, addr, &off, &sym, NULL, NULL, NULL);
	if (!s || GELF_ST_TYPE(sym.st_info) != STT_OBJECT ||
	    (sym.st_size && off >= sym.st_size))
		return false;
	mname = dwfl_module_info(m, NULL, &start, NULL, NULL, NULL, NULL, NULL);
	*name = demangle(s);
	*startp = addr - off;
	*size = sym.st_size;
	*module = base_name(mname);
	*modoff = addr - start;
	return true;
}
