// SPDX-License-Identifier: GPL-2.0-only
/* Dispatch hooks of trace --exact, per tainted process; exact.h says why. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "source/exact.h"
#include "attr/goattr.h"
#include "attr/mnattr.h"
#include "nstaint.skel.h"

void exact_prepare(struct nstaint_bpf *skel, bool on)
{
	bpf_program__set_autoload(skel->progs.go_execute, on);
	bpf_program__set_autoload(skel->progs.mn_task_start, on);
	/* Attached per process (exact_taint), never by the skeleton. */
	bpf_program__set_autoattach(skel->progs.go_execute, false);
	bpf_program__set_autoattach(skel->progs.mn_task_start, false);
	/* A followed process tainted before it is hooked waits for it
	 * (hold_taint, set with the system call hook). */
	skel->rodata->exact_dispatch = on;
}

/*
 * Go passes runtime.execute's gp in RAX from 1.17 (register ABI); the
 * BPF side reads it there.  @version is "go1.N[.M]"; "" is unknown.
 */
static bool go_regabi(const char *version)
{
	unsigned int major, minor;

	return sscanf(version, "go%u.%u", &major, &minor) == 2 &&
	       (major > 1 || minor >= 17);
}

/* The uprobe on runtime.execute in @pid's executable, or NULL (said why). */
static struct bpf_link *go_hook(struct nstaint_bpf *skel, __u32 pid)
{
	LIBBPF_OPTS(bpf_uprobe_opts, opts, .func_name = "runtime.execute");
	struct bpf_link *link;
	struct goattr ga;
	char exe[64];

	snprintf(exe, sizeof(exe), "/proc/%u/exe", pid);
	if (goattr_read(exe, &ga))
		return NULL;	/* not Go, or goroutines unnamed (said) */
	if (!go_regabi(ga.version)) {
		fprintf(stderr, "nstaint: pid %u: --exact needs Go 1.17 or "
			"later (register ABI), not %s\n", pid,
			ga.version[0] ? ga.version : "an unknown version");
		return NULL;
	}
	link = bpf_program__attach_uprobe_opts(skel->progs.go_execute, pid,
					       exe, 0, &opts);
	if (!link)
		fprintf(stderr, "nstaint: pid %u: cannot hook runtime.execute "
			"(%s): dispatches onto its tainted threads go "
			"unseen\n", pid, strerror(errno));
	return link;
}

/* libmn:task_start in @pid's libmn, or NULL. */
static struct bpf_link *mn_hook(struct nstaint_bpf *skel, __u32 pid)
{
	struct bpf_link *link;
	struct mn_proc mp;

	if (mnattr_find(pid, &mp) || !mp.usdt_path[0])
		return NULL;
	link = bpf_program__attach_usdt(skel->progs.mn_task_start, pid,
					mp.usdt_path, "libmn", "task_start",
					NULL);
	if (!link)
		fprintf(stderr, "nstaint: pid %u: cannot attach "
			"libmn:task_start in %s: %s\n", pid, mp.usdt_path,
			strerror(errno));
	return link;
}

void exact_taint(struct exact *x, struct nstaint_bpf *skel, __u32 pid)
{
	struct exact_probe *v;
	struct go_offsets off;
	__u32 key = pid;

	for (size_t i = 0; i < x->n; i++)
		if (x->v[i].pid == pid)
			return;
	v = realloc(x->v, (x->n + 1) * sizeof(*v));
	if (!v)
		return;
	x->v = v;
	v[x->n].pid = pid;
	/* goprocs[] has the process iff its goroutines can be named. */
	v[x->n].link = !bpf_map_lookup_elem(bpf_map__fd(skel->maps.goprocs),
					    &key, &off) ?
		       go_hook(skel, pid) : mn_hook(skel, pid);
	/* Tried, hooked or not: a new taint of @pid need not wait again. */
	bpf_map_update_elem(bpf_map__fd(skel->maps.dispatch_hooked), &key,
			    &(__u8){ 1 }, BPF_ANY);
	x->n++;
}

/* Does any entry of tainted[] belong to @pid? */
static bool has_tainted(int fd, __u32 pid)
{
	__u32 key, next, *prev = NULL;
	char path[64];

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		snprintf(path, sizeof(path), "/proc/%u/task/%u", pid, next);
		if (!access(path, F_OK))
			return true;
		key = next;
		prev = &key;
	}
	return false;
}

void exact_update(struct exact *x, struct nstaint_bpf *skel)
{
	int fd = bpf_map__fd(skel->maps.tainted);
	size_t i = 0;

	while (i < x->n) {
		if (has_tainted(fd, x->v[i].pid)) {
			i++;
			continue;
		}
		bpf_link__destroy(x->v[i].link);
		bpf_map_delete_elem(bpf_map__fd(skel->maps.dispatch_hooked),
				    &x->v[i].pid);
		x->v[i] = x->v[--x->n];
	}
}

void exact_close(struct exact *x)
{
	for (size_t i = 0; i < x->n; i++)
		bpf_link__destroy(x->v[i].link);
	free(x->v);
	x->v = NULL;
	x->n = 0;
}
