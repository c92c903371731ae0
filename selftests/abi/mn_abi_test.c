// SPDX-License-Identifier: GPL-2.0-only
/*
 * The libmn <-> nstaint runtime contract (include/nstaint/mn_abi.h) has the
 * layout both sides expect: libmn writes the slots and the registry in
 * userspace, nstaint reads them from /proc/PID/mem and BPF from the BTF
 * layout of the same header compiled for BPF.  Offsets are written out
 * here, independently of the header, as the contract documents them.
 */
#include <stddef.h>
#include <stdio.h>
#include <bpf/btf.h>
#include <linux/btf.h>

#include "kselftest_harness.h"
#include <nstaint/mn_abi.h>
#include <nstaint/mn_ring.h>

struct field {
	const char *name;
	size_t off;		/* offsetof as compiled here */
	size_t want;		/* the contract's offset */
};

struct layout {
	const char *name;	/* struct tag */
	size_t size, want_size;
	const struct field *fields;
	size_t nfields;
};

#define F(type, name, off) { #name, offsetof(struct type, name), off }
static const struct field slot_fields[] = {
	F(mn_abi_slot, magic, 0), F(mn_abi_slot, version, 4), F(mn_abi_slot, tid, 8),
	F(mn_abi_slot, locked, 12), F(mn_abi_slot, task_id, 16), F(mn_abi_slot, seq, 24),
	F(mn_abi_slot, switches, 32),
};
static const struct field thread_fields[] = {
	F(mn_abi_thread, slot_addr, 0), F(mn_abi_thread, tid, 8), F(mn_abi_thread, flags, 12),
};
static const struct field registry_fields[] = {
	F(mn_abi_registry, magic, 0), F(mn_abi_registry, version, 4),
	F(mn_abi_registry, max_threads, 8), F(mn_abi_registry, nr_used, 12),
	F(mn_abi_registry, generation, 16), F(mn_abi_registry, overflow, 24),
	F(mn_abi_registry, threads, 32), F(mn_abi_registry, ring, 32 + 4096 * 16),
};
static const struct field ring_ref_fields[] = {
	F(mn_abi_ring, addr, 0), F(mn_abi_ring, fd, 8), F(mn_abi_ring, nrec, 12),
};
#define L(type, fields, size) \
	{ #type, sizeof(struct type), size, fields, sizeof(fields) / sizeof(fields[0]) }
static const struct layout layouts[] = {
	L(mn_abi_slot, slot_fields, 40),
	L(mn_abi_thread, thread_fields, 16),
	L(mn_abi_registry, registry_fields, 32 + 4096 * 16 + 16),
	L(mn_abi_ring, ring_ref_fields, 16),
};
#define NLAYOUTS (sizeof(layouts) / sizeof(layouts[0]))

/* The report ring (include/nstaint/mn_ring.h): userspace on both sides. */
static const struct field ring_hdr_fields[] = {
	F(mn_ring_hdr, magic, 0), F(mn_ring_hdr, version, 4), F(mn_ring_hdr, hdr_size, 8),
	F(mn_ring_hdr, rec_size, 12), F(mn_ring_hdr, nrec, 16), F(mn_ring_hdr, pid, 20),
	F(mn_ring_hdr, reserved0, 24), F(mn_ring_hdr, head, 64), F(mn_ring_hdr, lost, 72),
	F(mn_ring_hdr, reserved1, 80), F(mn_ring_hdr, tail, 128), F(mn_ring_hdr, reader, 136),
	F(mn_ring_hdr, reserved2, 140), F(mn_ring_hdr, reserved3, 144),
};
static const struct field ring_access_fields[] = {
	F(mn_ring_access, addr, 0), F(mn_ring_access, task_id, 8), F(mn_ring_access, size, 16),
	F(mn_ring_access, flags, 20), F(mn_ring_access, tid, 24), F(mn_ring_access, depth, 28),
	F(mn_ring_access, stack, 32),
};
static const struct field ring_race_fields[] = {
	F(mn_ring_race, cur, 0), F(mn_ring_race, prev, 160), F(mn_ring_race, loc_kind, 320),
	F(mn_ring_race, loc_tid, 324), F(mn_ring_race, loc_addr, 328),
	F(mn_ring_race, loc_size, 336), F(mn_ring_race, loc_task, 344),
	F(mn_ring_race, loc_depth, 352), F(mn_ring_race, reserved, 356),
	F(mn_ring_race, loc_stack, 360),
};
static const struct field ring_error_fields[] = {
	F(mn_ring_error_rec, code, 0), F(mn_ring_error_rec, depth, 4),
	F(mn_ring_error_rec, stack, 8), F(mn_ring_error_rec, msg, 136),
};
static const struct field ring_leak_fields[] = {
	F(mn_ring_leak, creator, 0), F(mn_ring_leak, depth, 8), F(mn_ring_leak, reserved, 12),
	F(mn_ring_leak, stack, 16), F(mn_ring_leak, msg, 144),
};
static const struct field ring_retired_fields[] = {
	F(mn_ring_retired, thread, 0), F(mn_ring_retired, ns_mask, 4),
	F(mn_ring_retired, ns_old, 8), F(mn_ring_retired, ns_new, 40),
};
static const struct field ring_rec_fields[] = {
	F(mn_ring_rec, seq, 0), F(mn_ring_rec, time_ns, 8), F(mn_ring_rec, kind, 16),
	F(mn_ring_rec, pid, 20), F(mn_ring_rec, tid, 24), F(mn_ring_rec, flags, 28),
	F(mn_ring_rec, task_id, 32), F(mn_ring_rec, race, 40), F(mn_ring_rec, error, 40),
	F(mn_ring_rec, leak, 40), F(mn_ring_rec, retired, 40), F(mn_ring_rec, body, 40),
};
static const struct layout ring_layouts[] = {
	L(mn_ring_hdr, ring_hdr_fields, 192),
	L(mn_ring_access, ring_access_fields, 160),
	L(mn_ring_race, ring_race_fields, 488),
	L(mn_ring_error_rec, ring_error_fields, 264),
	L(mn_ring_leak, ring_leak_fields, 272),
	L(mn_ring_retired, ring_retired_fields, 72),
	L(mn_ring_rec, ring_rec_fields, 640),
};

static void check_layouts(struct __test_metadata *_metadata,
			  const struct layout *ls, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		const struct layout *l = &ls[i];

		EXPECT_EQ(l->want_size, l->size) TH_LOG("sizeof(struct %s)", l->name);
		for (j = 0; j < l->nfields; j++)
			EXPECT_EQ(l->fields[j].want, l->fields[j].off)
				TH_LOG("%s.%s", l->name, l->fields[j].name);
	}
}

/* Every field at its contract offset, no padding anywhere (sizes are the
 * sums of the fields), and the constants a reader checks first. */
TEST(userspace_layout)
{
	check_layouts(_metadata, layouts, NLAYOUTS);
	EXPECT_EQ(2, MN_ABI_VERSION);
	EXPECT_EQ(0x6d6e736c, MN_ABI_SLOT_MAGIC);
	EXPECT_EQ(0x6d6e7267, MN_ABI_REG_MAGIC);
	EXPECT_EQ(4096, MN_ABI_MAX_THREADS);
}

/* The report ring's records and header at their contract offsets, and
 * the constants a reader checks first. */
TEST(ring_layout)
{
	check_layouts(_metadata, ring_layouts, sizeof(ring_layouts) / sizeof(ring_layouts[0]));
	EXPECT_EQ(0x676e726d, MN_RING_MAGIC);
	EXPECT_EQ(1, MN_RING_VERSION);
	EXPECT_EQ(4096, MN_RING_HDR_SIZE);
	EXPECT_EQ(16, MN_RING_STACK);
	EXPECT_EQ(128, MN_RING_MSG);
}

/* The BPF object built from the same header has the same sizes and the
 * same member offsets, read back from its BTF. */
TEST(bpf_layout_matches)
{
	const char *obj = getenv("NSTAINT_MN_ABI_PROBE") ?: "build/selftests/abi/mn_abi_probe.bpf.o";
	struct btf *btf = btf__parse_elf(obj, NULL);
	size_t i, k;

	ASSERT_NE(NULL, btf) TH_LOG("cannot read BTF of %s", obj);
	for (i = 0; i < NLAYOUTS; i++) {
		const struct layout *l = &layouts[i];
		int id = btf__find_by_name_kind(btf, l->name, BTF_KIND_STRUCT);
		const struct btf_member *m;
		const struct btf_type *t;
		size_t seen = 0;
		int j;

		ASSERT_GT(id, 0) TH_LOG("struct %s not in %s", l->name, obj);
		t = btf__type_by_id(btf, id);
		EXPECT_EQ(l->size, t->size) TH_LOG("struct %s", l->name);
		EXPECT_EQ(l->nfields, btf_vlen(t)) TH_LOG("struct %s", l->name);
		m = btf_members(t);
		for (j = 0; j < btf_vlen(t); j++, m++) {
			const char *name = btf__name_by_offset(btf, m->name_off);

			for (k = 0; k < l->nfields; k++) {
				if (strcmp(name, l->fields[k].name))
					continue;
				EXPECT_EQ(l->fields[k].off * 8, btf_member_bit_offset(t, j))
					TH_LOG("%s.%s", l->name, name);
				seen++;
			}
		}
		EXPECT_EQ(l->nfields, seen) TH_LOG("struct %s", l->name);
	}
	btf__free(btf);
}

/* libmn.so is versioned (mn.h exposes struct layouts): SONAME libmn.so.0,
 * and the in-tree name a program links with resolves to it (readelf). */
TEST(shared_library_soname)
{
	char line[256];
	bool found = false;
	FILE *f = popen("readelf -d build/libmn.so 2>&1", "r");

	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "(SONAME)") && strstr(line, "[libmn.so.0]"))
			found = true;
	EXPECT_EQ(0, pclose(f));
	EXPECT_TRUE(found) TH_LOG("no SONAME libmn.so.0 in build/libmn.so");
	EXPECT_EQ(0, access("build/libmn.so.0", R_OK));
}

TEST_HARNESS_MAIN
