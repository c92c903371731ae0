// SPDX-License-Identifier: GPL-2.0-only
/*
 * Symbolization with elfutils libdwfl: the modules of a process come from
 * /proc/PID/maps, symbols from each module's .symtab/.dynsym (Go binaries
 * keep a .symtab unless stripped), file:line from its DWARF (Go's
 * compressed sections included) or a separate debuginfo file; a
 * stripped Go binary's function names from its .gopclntab.
 *
 * One Dwfl per process, reported the first time one of its addresses is
 * looked up and cached (least recently used out), because a record is
 * read after the fact: once reported, the opened ELF files outlive the
 * process, so a process that exits later is still symbolized.  A process
 * that was gone before its first lookup yields raw addresses only.
 *
 * Invariant: a cached Dwfl describes the image @exe_dev/@exe_ino that
 * /proc/PID/exe pointed to when it was reported; an exec (sym_forget, or
 * an exe that no longer matches at sym_process) drops it.  Only those two
 * drop a Dwfl, so the strings of one record's lookups, which point into
 * it, live until the next record.
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sym/gopclntab.h"
#include "sym/symbolize.h"

#define SYM_CACHE	16
#define SYM_MEMO_BITS	9	/* per process, direct mapped */
#define SYM_MEMO	(1U << SYM_MEMO_BITS)

/*
 * A looked-up address and its answer.  libdwfl's symbol lookup scans the
 * module's symbol table, and a storm of records repeats the same few
 * return addresses: remembered answers are what keeps the consumer ahead
 * of the ring buffer.  The strings point into the Dwfl, so a memo lives
 * and dies with its Dwfl.
 */
struct sym_memo {
	uint64_t addr;		/* 0: empty */
	bool ret_addr;
	struct sym_frame f;
};

struct sym_proc {
	pid_t pid;		/* 0: free slot */
	Dwfl *dwfl;
	struct sym_memo *memo;	/* SYM_MEMO entries, or NULL */
	dev_t exe_dev;
	ino_t exe_ino;
	unsigned long used;	/* LRU stamp */
};

static struct sym_proc cache[SYM_CACHE];
static unsigned long clock_now;

static char *debuginfo_path;
static const Dwfl_Callbacks proc_callbacks = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.debuginfo_path = &debuginfo_path,
};

/*
 * Each module's user data: its parsed .gopclntab, NO_PCLNTAB once looked
 * for and not found, NULL before.
 */
static char no_pclntab;
#define NO_PCLNTAB	((void *)&no_pclntab)

static int free_pclntab(Dwfl_Module *mod, void **userdata, const char *name,
			Dwarf_Addr start, void *arg)
{
	if (*userdata != NO_PCLNTAB)
		gopclntab_free(*userdata);
	*userdata = NULL;
	return DWARF_CB_OK;
}

static void drop(struct sym_proc *sp)
{
	dwfl_getmodules(sp->dwfl, free_pclntab, NULL, 0);
	dwfl_end(sp->dwfl);
	free(sp->memo);
	memset(sp, 0, sizeof(*sp));
}

/* A stripped Go binary has no symbol table but still its .gopclntab. */
static const char *go_func(Dwfl_Module *mod, Dwarf_Addr pc, uint64_t *off)
{
	Dwarf_Addr bias;
	void **userdata;
	Elf *elf = dwfl_module_getelf(mod, &bias);

	dwfl_module_info(mod, &userdata, NULL, NULL, NULL, NULL, NULL, NULL);
	if (!*userdata) {
		*userdata = gopclntab_open(elf);
		if (!*userdata)
			*userdata = NO_PCLNTAB;
	}
	if (*userdata == NO_PCLNTAB)
		return NULL;
	return gopclntab_func(*userdata, pc - bias, off);
}

void sym_forget(pid_t pid)
{
	for (int i = 0; i < SYM_CACHE; i++)
		if (cache[i].pid == pid)
			drop(&cache[i]);
}

static int exe_id(pid_t pid, struct stat *st)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	return stat(path, st);
}

struct sym_proc *sym_process(pid_t pid)
{
	struct sym_proc *sp = NULL, *victim = &cache[0];
	struct stat st;
	Dwfl *dwfl;
	int i;

	if (pid <= 0)
		return NULL;
	for (i = 0; i < SYM_CACHE; i++) {
		if (cache[i].pid == pid)
			sp = &cache[i];
		if (cache[i].used < victim->used)
			victim = &cache[i];
	}
	/* Gone: keep what was reported, if anything. */
	if (exe_id(pid, &st)) {
		if (sp)
			sp->used = ++clock_now;
		return sp;
	}
	if (sp) {
		if (st.st_dev == sp->exe_dev && st.st_ino == sp->exe_ino) {
			sp->used = ++clock_now;
			return sp;
		}
		/* Another image: report it again. */
		drop(sp);
		victim = sp;
	}
	dwfl = dwfl_begin(&proc_callbacks);
	if (!dwfl)
		return NULL;
	if (dwfl_linux_proc_report(dwfl, pid) ||
	    dwfl_report_end(dwfl, NULL, NULL)) {
		dwfl_end(dwfl);
		return NULL;
	}
	if (victim->pid)
		drop(victim);
	victim->pid = pid;
	victim->dwfl = dwfl;
	victim->exe_dev = st.st_dev;
	victim->exe_ino = st.st_ino;
	victim->used = ++clock_now;
	victim->memo = calloc(SYM_MEMO, sizeof(*victim->memo));
	return victim;
}

/*
 * file:line when libdwfl's lookup fails: it finds a CU through
 * .debug_aranges, which Go does not write; walk the CUs' DW_AT_ranges.
 */
static void cu_line(Dwfl_Module *mod, Dwarf_Addr pc, struct sym_frame *f)
{
	Dwarf_Addr bias, base, lo, hi;
	Dwarf *dw = dwfl_module_getdwarf(mod, &bias);
	Dwarf_Off off = 0, next;
	Dwarf_Line *line;
	Dwarf_Die cu;
	ptrdiff_t r;
	size_t hsize;

	if (!dw)
		return;
	pc -= bias;
	while (!dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL)) {
		if (!dwarf_offdie(dw, off + hsize, &cu))
			return;
		off = next;
		r = 0;
		while ((r = dwarf_ranges(&cu, r, &base, &lo, &hi)) > 0) {
			if (pc < lo || pc >= hi)
				continue;
			line = dwarf_getsrc_die(&cu, pc);
			if (!line || dwarf_lineno(line, &f->line))
				return;
			f->file = dwarf_linesrc(line, NULL, NULL);
			return;
		}
	}
}

/*
 * When @pc is code inlined into the function the symbol names, the line
 * table gives the inlined function's own source (a libmn fast path in
 * mn.h, say), which does not belong to that function: name instead the
 * call site, in the function's own source, of the outermost inlined
 * subroutine, so that func and file:line agree.  Unchanged when @pc is
 * in no inlined code or its DWARF does not say.
 */
static void outer_call_site(Dwfl_Module *mod, Dwarf_Addr pc, struct sym_frame *f)
{
	Dwarf_Die *scopes = NULL, *cu, *outer = NULL;
	Dwarf_Attribute a;
	Dwarf_Word file, line;
	Dwarf_Files *files;
	Dwarf_Addr bias;
	size_t nfiles;
	const char *name;
	int n;

	cu = dwfl_module_addrdie(mod, pc, &bias);
	if (!cu)
		return;
	n = dwarf_getscopes(cu, pc - bias, &scopes);
	/* innermost first: the last inlined subroutine is the outermost */
	for (int i = 0; i < n; i++)
		if (dwarf_tag(&scopes[i]) == DW_TAG_inlined_subroutine)
			outer = &scopes[i];
	if (outer && !dwarf_formudata(dwarf_attr(outer, DW_AT_call_file, &a), &file) &&
	    !dwarf_formudata(dwarf_attr(outer, DW_AT_call_line, &a), &line) &&
	    !dwarf_getsrcfiles(cu, &files, &nfiles) && file < nfiles &&
	    (name = dwarf_filesrc(files, file, NULL, NULL))) {
		f->file = name;
		f->line = (int)line;
	}
	free(scopes);
}

static void lookup(Dwfl *dwfl, uint64_t addr, bool ret_addr,
		   struct sym_frame *f)
{
	/* A return address follows the call: look up the call itself. */
	Dwarf_Addr pc = ret_addr && addr ? addr - 1 : addr;
	Dwarf_Addr start, end;
	Dwfl_Module *mod;
	Dwfl_Line *line;
	GElf_Off off;
	GElf_Sym sym;

	mod = dwfl_addrmodule(dwfl, pc);
	if (!mod)
		return;
	f->module = dwfl_module_info(mod, NULL, &start, &end, NULL, NULL,
				     NULL, NULL);
	/* dwfl_addrmodule answers the last module for any address above
	 * every mapping (seen: 0x4141414141414141 in ld.so): not its. */
	if (pc < start || pc >= end) {
		f->module = NULL;
		return;
	}
	f->func = dwfl_module_addrinfo(mod, pc, &off, &sym, NULL, NULL, NULL);
	if (!f->func)
		f->func = go_func(mod, pc, &off);
	if (f->func)
		f->off = off + (addr - pc);
	line = dwfl_module_getsrc(mod, pc);
	if (line)
		f->file = dwfl_lineinfo(line, NULL, &f->line, NULL, NULL,
					NULL);
	else
		cu_line(mod, pc, f);
	if (f->file)
		outer_call_site(mod, pc, f);
}

void sym_lookup(struct sym_proc *sp, uint64_t addr, bool ret_addr,
		struct sym_frame *f)
{
	struct sym_memo *m;

	memset(f, 0, sizeof(*f));
	if (!sp->memo) {
		lookup(sp->dwfl, addr, ret_addr, f);
		return;
	}
	/* Fibonacci hashing: return addresses share their low bits badly. */
	m = &sp->memo[(addr * 0x9e3779b97f4a7c15ULL) >> (64 - SYM_MEMO_BITS)];
	if (m->addr != addr || m->ret_addr != ret_addr || !addr) {
		m->addr = addr;
		m->ret_addr = ret_addr;
		memset(&m->f, 0, sizeof(m->f));
		lookup(sp->dwfl, addr, ret_addr, &m->f);
	}
	*f = m->f;
}
