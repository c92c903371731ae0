// SPDX-License-Identifier: GPL-2.0-only
/*
 * The event ABI has the layout userspace expects, and the BPF compilation
 * of the same header (vmlinux.h types) agrees with it field by field.
 */
#include <stddef.h>
#include <bpf/btf.h>
#include <linux/btf.h>

#include "kselftest_harness.h"
#include <nstaint/events.h>

#define F(name, off) { #name, offsetof(struct nstaint_event, name), off }
static const struct field {
	const char *name;
	size_t off;		/* offsetof as compiled here */
	size_t want;		/* the documented offset (docs/abi.md) */
} fields[] = {
	F(version, 0), F(type, 2), F(size, 4), F(cause, 6), F(ts_ns, 8),
	F(pid, 16), F(tid, 20), F(comm, 24), F(ns_old, 40), F(ns_new, 72),
	F(ns_home, 104), F(changed_mask, 136), F(tainted_mask, 140),
	F(parent_tid, 144), F(flags, 148), F(clone_flags, 152), F(count, 160),
	F(task_id, 168), F(owner_id, 176), F(task_kind, 184),
	F(owner_kind, 188), F(ret, 192), F(stack_depth, 196), F(ustack, 200),
	F(syscall_nr, 328), F(lost_reason, 332),
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

/* Every field sits at its documented offset and the record is 336 bytes,
 * a multiple of 8 (ring buffers and read() hand out whole records). */
TEST(userspace_layout)
{
	size_t i;

	for (i = 0; i < NFIELDS; i++) {
		const struct field *f = &fields[i];

		EXPECT_EQ(f->want, f->off) TH_LOG("field %s", f->name);
	}
	EXPECT_EQ(336, sizeof(struct nstaint_event));
	EXPECT_EQ(0, sizeof(struct nstaint_event) % 8);
	EXPECT_EQ(8, NSTAINT_NS_COUNT);
	EXPECT_EQ(0xff, NSTAINT_NS_ALL);
	EXPECT_EQ(2, NSTAINT_ABI_VERSION);
}

/* Enum values and flag bits are ABI too: appended, never renumbered
 * (docs/abi.md lists them in this order). */
TEST(values_appended)
{
	EXPECT_EQ(7, NSTAINT_EV_LOST);
	EXPECT_EQ(8, NSTAINT_EV_TASK_SUMMARY);
	EXPECT_EQ(9, NSTAINT_EV_TYPE_COUNT);
	EXPECT_EQ(9, NSTAINT_CAUSE_SYSCALL);
	EXPECT_EQ(10, NSTAINT_CAUSE_DISPATCH);
	EXPECT_EQ(3, NSTAINT_LOST_SEEN_FULL);
	EXPECT_EQ(1U << 4, NSTAINT_F_HELD);
}

/* The BPF object built from the same header has the same size and the
 * same member offsets, read back from its BTF. */
TEST(bpf_layout_matches)
{
	const char *obj = getenv("NSTAINT_ABI_PROBE") ?: "build/selftests/abi/abi_probe.bpf.o";
	const struct btf_member *m;
	const struct btf_type *t;
	struct btf *btf;
	size_t i, seen = 0;
	int id, j;

	btf = btf__parse_elf(obj, NULL);
	ASSERT_NE(NULL, btf) TH_LOG("cannot read BTF of %s", obj);
	id = btf__find_by_name_kind(btf, "nstaint_event", BTF_KIND_STRUCT);
	ASSERT_GT(id, 0);
	t = btf__type_by_id(btf, id);
	EXPECT_EQ(sizeof(struct nstaint_event), t->size);
	EXPECT_EQ(NFIELDS, btf_vlen(t));
	m = btf_members(t);
	for (j = 0; j < btf_vlen(t); j++, m++) {
		const char *name = btf__name_by_offset(btf, m->name_off);

		for (i = 0; i < NFIELDS; i++) {
			if (strcmp(name, fields[i].name))
				continue;
			EXPECT_EQ(fields[i].off * 8, btf_member_bit_offset(t, j))
				TH_LOG("%s", name);
			seen++;
		}
	}
	EXPECT_EQ(NFIELDS, seen);
	btf__free(btf);
}

TEST_HARNESS_MAIN
