// SPDX-License-Identifier: GPL-2.0-only
/*
 * The event table (user/nstaint/model/evtable.c) and the sinks that print
 * with it (user/nstaint/sink/): every record type, cause and task kind
 * has exactly one name, the one docs/trace.md gives (listed here, not
 * taken from the table), and the text and JSON sinks print that name;
 * the JSON sink's lines parse with json-c into the values that went in.
 * top prints the table's abbreviations (selftests/bpf/top_test.sh).
 * Reports from report rings: their kinds and error codes the same way,
 * their JSON parsed by json-c, their text line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "kselftest_harness.h"
#include "model/evtable.h"
#include "model/record.h"
#include "model/report.h"
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

/* The report rings' vocabulary in docs/trace.md, by ABI value. */
static const char *const report_kinds[] = {
	NULL, "data_race", "runtime_error", "task_leak", "ctx_leak",
	"thread_retired",
};
static const char *const runtime_errors[] = {
	"other", "send_closed", "close_closed", "close_nil", "unlock_unlocked",
	"cond_unlocked", "wg_negative", "wg_reuse", "deadlock", "outside_task",
};

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

/* What sink @name prints for record @r or report @rep (free it). */
static char *render_any(const char *name, const struct record *r,
			const struct report *rep)
{
	const struct sink_ops *ops = sink_find(name);
	struct sink s = {};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct sink_opts o = { .out = f };

	if (!ops || !f || (rep && !ops->report))
		return NULL;
	s.ops = ops;
	ops->open(&s, &o);
	if (rep)
		ops->report(&s, rep);
	else
		ops->record(&s, r);
	fclose(f);
	return buf;
}

static char *render(const char *name, const struct record *r)
{
	return render_any(name, r, NULL);
}

static char *render_report(const char *name, const struct report *rep)
{
	return render_any(name, NULL, rep);
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
	static const char *const stage[LOST_STAGE_COUNT] = {
		"kernel", "queue", "export", "report_ring"
	};

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

/* The summary counts every type, `lost` as records lost, all stages
 * but the report rings' (their reports have a line of their own). */
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
	r.ev.count = 100;	/* reports, not records: not among the lost */
	ev_count(&c, &r.ev, LOST_STAGE_RING);
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

/* Each report kind and runtime error has docs/trace.md's name, one each. */
TEST(report_names)
{
	ASSERT_EQ(MN_RING_KIND_COUNT, N(report_kinds));
	ASSERT_EQ(MN_RING_ERR_COUNT, N(runtime_errors));
	EXPECT_EQ(NULL, ev_report_kind_name(MN_RING_NONE));
	EXPECT_EQ(NULL, ev_report_kind_name(MN_RING_KIND_COUNT));
	for (unsigned int i = 1; i < N(report_kinds); i++)
		EXPECT_STREQ(report_kinds[i], ev_report_kind_name(i));
	for (unsigned int i = 0; i < N(runtime_errors); i++)
		EXPECT_STREQ(runtime_errors[i], ev_runtime_error_name(i));
	EXPECT_STREQ("other", ev_runtime_error_name(MN_RING_ERR_COUNT));
}

static long long jint(struct json_object *o, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_int64(v) : -1;
}

/* A runtime error and a race, through the JSON sink, parse with json-c
 * into what went in (unsymbolized stacks: addresses only); the text sink
 * names them. */
TEST(reports_in_every_sink)
{
	static struct report rep;
	struct json_object *o, *acc, *st;
	char *buf;

	memset(&rep, 0, sizeof(rep));
	rep.rec.kind = MN_RING_RUNTIME_ERROR;
	rep.rec.time_ns = 2000000000123ULL;
	rep.rec.pid = 7;
	rep.rec.tid = 8;
	rep.rec.task_id = 9;
	rep.rec.error.code = MN_RING_ERR_WG_NEGATIVE;
	rep.rec.error.depth = 1;
	rep.rec.error.stack[0] = 0x1234;
	strcpy(rep.rec.error.msg, "sync: \"negative\"");
	strcpy(rep.comm, "pro\\g");
	rep.on_tainted_thread = true;
	ustack_lookup(NULL, rep.rec.error.stack, 1, false, &rep.stack[0]);
	buf = render_report("json", &rep);
	ASSERT_NE(NULL, buf);
	o = json_tokener_parse(buf);
	ASSERT_NE(NULL, o) TH_LOG("%s", buf);
	EXPECT_STREQ("runtime_error", jstr(o, "event"));
	EXPECT_STREQ("wg_negative", jstr(o, "error"));
	EXPECT_STREQ("sync: \"negative\"", jstr(o, "message"));
	EXPECT_STREQ("pro\\g", jstr(o, "comm"));
	EXPECT_STREQ("report_ring", jstr(o, "source"));
	EXPECT_EQ(7, jint(o, "pid"));
	EXPECT_EQ(9, jint(o, "task_id"));
	ASSERT_TRUE(json_object_object_get_ex(o, "stack", &st));
	EXPECT_STREQ("0x1234", jstr(json_object_array_get_idx(st, 0), "addr"));
	ASSERT_TRUE(json_object_object_get_ex(o, "on_tainted_thread", &st));
	EXPECT_TRUE(json_object_get_boolean(st));
	json_object_put(o);
	free(buf);
	buf = render_report("text", &rep);
	ASSERT_NE(NULL, buf);
	EXPECT_NE(NULL, strstr(buf, "runtime_error          pid=7 tid=8 comm=pro\\\\g task=9 "
			       "on_tainted_thread error=wg_negative: ")) TH_LOG("%s", buf);
	free(buf);

	memset(&rep.rec.race, 0, sizeof(rep.rec.race));
	rep.rec.kind = MN_RING_DATA_RACE;
	rep.rec.race.cur = (struct mn_ring_access){ .addr = 0xabc, .task_id = 9,
		.size = 8, .flags = MN_RING_ACC_WRITE, .tid = 8 };
	rep.rec.race.prev = (struct mn_ring_access){ .addr = 0xabc, .task_id = 3,
		.size = 4, .flags = MN_RING_ACC_ATOMIC, .tid = 5 };
	rep.rec.race.loc_kind = MN_RING_LOC_HEAP;
	rep.rec.race.loc_addr = 0xab0;
	rep.rec.race.loc_size = 64;
	for (int i = 0; i < REPORT_STACKS; i++)
		ustack_lookup(NULL, NULL, 0, true, &rep.stack[i]);
	buf = render_report("json", &rep);
	o = json_tokener_parse(buf);
	ASSERT_NE(NULL, o) TH_LOG("%s", buf);
	EXPECT_STREQ("data_race", jstr(o, "event"));
	ASSERT_TRUE(json_object_object_get_ex(o, "previous", &acc));
	EXPECT_EQ(3, jint(acc, "task_id"));
	EXPECT_EQ(4, jint(acc, "size"));
	ASSERT_TRUE(json_object_object_get_ex(acc, "atomic", &st));
	EXPECT_TRUE(json_object_get_boolean(st));
	ASSERT_TRUE(json_object_object_get_ex(o, "location", &acc));
	EXPECT_STREQ("heap", jstr(acc, "kind"));
	EXPECT_EQ(64, jint(acc, "size"));
	json_object_put(o);
	free(buf);
}

TEST_HARNESS_MAIN
