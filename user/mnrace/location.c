// SPDX-License-Identifier: GPL-2.0-only
/*
 * Where an address lives: a task's TLS or stack (their ranges are known
 * from when each task started), a global (the ELF symbol holding it), or
 * a heap block (the meta shadow).  Cheapest first; the heap walk, which
 * scans the meta shadow backwards, last.
 */
#include <stdbool.h>
#include <string.h>

#include "heap.h"
#include "location.h"
#include "sym.h"
#include "task.h"

void location_of(uintptr_t a, struct location *l)
{
	struct heap_block hb;
	bool tls = false;

	memset(l, 0, sizeof(*l));
	l->task = task_owning(a, &tls);
	if (l->task) {
		l->kind = tls ? LOC_TLS : LOC_STACK;
		return;
	}
	if (sym_data(a, &l->name, &l->start, &l->size, &l->module, &l->modoff)) {
		l->kind = LOC_GLOBAL;
		return;
	}
	if (heap_block_of(a, &hb)) {
		l->kind = LOC_HEAP;
		l->start = hb.start;
		l->size = hb.size;
		l->task = hb.task;
		l->stack = hb.stack;
	}
}
