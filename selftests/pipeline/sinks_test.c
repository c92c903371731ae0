// SPDX-License-Identifier: GPL-2.0-only
/*
 * The event table (user/nstaint/model/evtable.c) and the sinks that print
 * with it (user/nstaint/sink/): every record type, cause and task kind
 * has exactly one name, the one docs/trace.md gives (listed here, not
 * taken from the table), and the text and JSON sinks print that name;
 * the JSON sink's lines parse with json-c into the values that went in.
 * top prints the table's abbreviations (selftests/bpf/top_test.sh).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "kselftest_harness.h"
#include "model/evtable.h"
#include "model/record.h"
#include "sink/sink.h"

/* The vocabulary of docs/trace.md, by ABI value. */
static const char *const types[] = {
	NULL, "ns_change", "thread_tainted", "thread_restored",
	"clone_from_tainted", "task_on_tainted_thread", "thread_exit", "lost",
	"task_summary",
};
static const char *const causes[] = {
	"unknown", "setns", "unshare", "clone", "exec", "exit", "creds",
	"snapshot", "sched", "syscall", "dispatch",
};
static const char *const kinds[] = { "none", "go", "libmn" };

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct record rec(unsigned int type, unsigned int cause,
			 unsigned int kind)
{
	struct record r = {};

	r.ev.version = NSTAINT_ABI_VERSION;
	r.ev.size = sizeof(r.ev);
	r.ev.type = type;
	r.ev.cause = cause;
	r.ev.ts_ns = 1234567890123ULL;
	r.ev.pid = 100;
	r.ev.tid = 101;
	memcpy(r.ev.comm, "w\"ork\\er", 8);
	r.ev.syscall_nr = -1;
	r.ev.task_kind = kind;
	r.ev.task_id = kind ? 42 : 0;
	r.ev.count = 3;
	for (int i = 0; i < NSTAINT_NS_COUNT; i++) {
		r.ev.ns_old[i] = 4026531830U + i;
		r.ev.ns_new[i] = 4026531830U + i;
		r.ev.ns_home[i] = 4026531830U + i;
	}
	r.ev.ns_new[NSTAINT_NS_UTS] = 4026532000U;
	r.ev.tainted_mask = NSTAINT_NS_BIT(NSTAINT_NS_UTS);
	r.ev.changed_mask = NSTAINT_NS_BIT(NSTAINT_NS_UTS);
	return r;
}

/* What sink @name prints for @r (free it). */
static char *render(const char *name, const struct record *r)
{
	const struct sink_ops *ops = sink_find(name);
	struct sink s = {};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct sink_opts o = { .out = f };

	if (!ops || !f)
		return NULL;
	s.ops = ops;
	ops->open(&s, &o);
	ops->record(&s, r);
	fclose(f);
	return buf;
}

static const char *jstr(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ?
	       json_object_get_string(v) : NULL;
}

/* Each table has one distinct name per value, and it is the docs'. */
TEST(one_name_each)
{
	for (unsigned int t = 1; t < N(types); t++)
		EXPECT_STREQ(types[t], ev_type_name(t));
	EXPECT_EQ(NSTAINT_EV_TYPE_COUNT, N(types));
	EXPECT_EQ(NULL, ev_type_name(0));
	EXPECT_EQ(NULL, ev_type_name(NSTAINT_EV_TYPE_COUNT));
	EXPECT_EQ(EV_CAUSE_COUNT, N(causes));
	for (unsigned int c = 0; c < N(causes); c++)
		EXPECT_STREQ(causes[c], ev_cause_name(c));
	EXPECT_STREQ("unknown", ev_cause_name(EV_CAUSE_COUNT));
	EXPECT_EQ(EV_TASK_KIND_COUNT, N(kinds));
	for (unsigned int k = 0; k < N(kinds); k++) {
		EXPECT_STREQ(kinds[k], ev_task_kind_name(k));
		for (unsigned int j = 0; j < k; j++) {
			EXPECT_STRNE(ev_task_kind_abbrev(j),
				     ev_task_kind_abbrev(k));
			EXPECT_STRNE(ev_task_kind_noun(j),
				     ev_task_kind_noun(k));
		}
	}
	EXPECT_STREQ("none", ev_task_kind_name(99));
}

/* Every type and cause reaches both sinks under the table's name, and
 * the JSON line parses to the record's values. */
TEST(types_and_causes_in_every_sink)
{
	for (unsigned int t = 1; t < N(types); t++) {
		for (unsigned int c = 0; c < N(causes); c++) {
			struct record r = rec(t, c, 0);
			char *json = render("json", &r);
			char *text = render("text", &r);
			char want[64];
			json_object *o;

			ASSERT_NE(NULL, json);
			ASSERT_NE(NULL, text);
			o = json_tokener_parse(json);
			ASSERT_NE(NULL, o) TH_LOG("not JSON: %s", json);
			EXPECT_STREQ(types[t], jstr(o, "event"));
			snprintf(want, sizeof(want), "%-22s ", types[t]);
			EXPECT_EQ(0, strncmp(text, want, strlen(want)))
				TH_LOG("%s", text);
			if (t != NSTAINT_EV_LOST) {
				EXPECT_STREQ(causes[c], jstr(o, "cause"));
				EXPECT_STREQ("w\"ork\\er", jstr(o, "comm"));
				snprintf(want, sizeof(want), " cause=%s ",
					 causes[c]);
				EXPECT_NE(NULL, strstr(text, want))
					TH_LOG("%s", text);
			}
			json_object_put(o);
			free(json);
			free(text);
		}
	}
}

/* Every task kind under one name in JSON and in text's key=id form. */
TEST(task_kinds_in_every_sink)
{
	for (unsigned int k = 1; k < N(kinds); k++) {
		struct record r = rec(NSTAINT_EV_THREAD_TAINTED,
				      NSTAINT_CAUSE_UNSHARE, k);
		char *json, *text, want[64];
		json_object *o, *v;

		r.ev.owner_kind = k;
		r.ev.owner_id = 7;
		json = render("json", &r);
		text = render("text", &r);
		o = json_tokener_parse(json);
		ASSERT_NE(NULL, o) TH_LOG("not JSON: %s", json);
		EXPECT_STREQ(kinds[k], jstr(o, "task_kind"));
		EXPECT_STREQ(kinds[k], jstr(o, "owner_kind"));
		ASSERT_TRUE(json_object_object_get_ex(o, "task_id", &v));
		EXPECT_EQ(42, json_object_get_int64(v));
		ASSERT_TRUE(json_object_object_get_ex(o, "ns", &v));
		ASSERT_TRUE(json_object_object_get_ex(v, "uts", &v));
		EXPECT_EQ(4026532000LL, json_object_get_int64(v));
		snprintf(want, sizeof(want), " %s=42 owner=%s:7", kinds[k],
			 kinds[k]);
		EXPECT_NE(NULL, strstr(text, want)) TH_LOG("%s", text);
		json_object_put(o);
		free(json);
		free(text);
	}
}

/* A `lost` record of each stage: the count and where, parsed back. */
TEST(lost_stages)
{
	static const char *const stage[LOST_STAGE_COUNT] = { "kernel", "queue", "export" };

	for (unsigned int st = 0; st < LOST_STAGE_COUNT; st++) {
		struct record r = rec(NSTAINT_EV_LOST, 0, 0);
		json_object *o, *v;
		char *json;

		r.ev.count = 1000 + st;
		r.ev.lost_reason = NSTAINT_LOST_RINGBUF;
		r.lost_stage = st;
		json = render("json", &r);
		o = json_tokener_parse(json);
		ASSERT_NE(NULL, o) TH_LOG("not JSON: %s", json);
		EXPECT_STREQ(stage[st], jstr(o, "stage"));
		EXPECT_STREQ(st ? "queue_full" : "ringbuf", jstr(o, "reason"));
		ASSERT_TRUE(json_object_object_get_ex(o, "count", &v));
		EXPECT_EQ(1000 + st, json_object_get_int64(v));
		json_object_put(o);
		free(json);
	}
}

/* The summary counts every type, `lost` as records lost, all stages. */
TEST(counts)
{
	struct ev_counts c = {};
	struct record r = rec(NSTAINT_EV_LOST, 0, 0);
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	r.ev.count = 5;
	ev_count(&c, &r.ev, LOST_STAGE_KERNEL);
	r.ev.count = 7;
	ev_count(&c, &r.ev, LOST_STAGE_QUEUE);
	r = rec(NSTAINT_EV_NS_CHANGE, 1, 0);
	ev_count(&c, &r.ev, 0);
	f = open_memstream(&buf, &len);
	ASSERT_NE(NULL, f);
	ev_print_counts(f, &c);
	fclose(f);
	EXPECT_STREQ("1 ns_change, 0 thread_tainted, 0 thread_restored, "
		     "0 clone_from_tainted, 0 task_on_tainted_thread, "
		     "0 thread_exit, 12 lost, 0 task_summary", buf);
	free(buf);
}

TEST_HARNESS_MAIN
