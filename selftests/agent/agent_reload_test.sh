#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# `nstaint agent` options that change how it runs: SIGHUP re-reads
# --config (what is reloaded takes effect on the next line, what is not is
# said), --log-format=json (Python's json reads every line), the comm
# label's cap (--metrics-label-max), and --metrics-textfile (promtool
# reads the file written at exit).  The proc backend keeps it light; the
# taints are holdtaint's, checked in /proc.  Only the test's own
# processes are judged.  Run from the top of the tree as root.
set -u
. selftests/lib/testlib.sh
. selftests/lib/holdtaint.sh

agent=''
one_pid=''
two_pid=''
stop_all() {
	[ -n "$one_pid" ] && kill "$one_pid" 2>/dev/null
	[ -n "$two_pid" ] && kill "$two_pid" 2>/dev/null
	[ -n "$agent" ] && kill -KILL "$agent" 2>/dev/null && wait "$agent" 2>/dev/null
}
at_exit stop_all

plan 6

metric_page() {
	/usr/bin/python3 selftests/lib/httpget.py GET "http://127.0.0.1:$port/metrics" 2>/dev/null
}

printf 'node-name = before\nexport-events = thread_tainted\nlog-format = json\nproc-interval = 0.1\n' \
	>"$TMP/agent.conf"
"$NSTAINT" agent --config "$TMP/agent.conf" --backend=proc --metrics-address 127.0.0.1:0 \
	--export=file --export-file "$TMP/ev.json" --metrics-label=comm --metrics-label-max 1 \
	--metrics-textfile "$TMP/m.prom" >/dev/null 2>"$TMP/agent.err" &
agent=$!
wait_for "$TMP/agent.err" '"msg":"attached"' 600
port=$(sed -n 's/.*"msg":"metrics on port \([0-9]*\)".*/\1/p' "$TMP/agent.err")
diag "agent pid $agent, port ${port:-?}"

# The first taint goes out with the file's node name.
hold_start one
# shellcheck disable=SC2154 # set by hold_start
check "before SIGHUP: the taint exported with node_name from the file" \
	wait_for "$TMP/ev.json" "\"node_name\":\"before\",\"event\":\"thread_tainted\".*\"tid\":$one_tid," 100

# SIGHUP after the file changed: node-name is reloaded, proc-interval
# needs a restart and says so; the next taint has the new name.
printf 'node-name = after\nexport-events = thread_tainted\nlog-format = json\nproc-interval = 0.2\n' \
	>"$TMP/agent.conf"
kill -HUP "$agent"
reload_ok() {
	wait_for "$TMP/agent.err" '"msg":"SIGHUP: node-name reloaded"' 100 &&
	wait_for "$TMP/agent.err" '"level":"warn","msg":"SIGHUP: proc-interval changed: restart to apply it"' 100 &&
	! grep -q 'SIGHUP: export-events' "$TMP/agent.err"
}
check "SIGHUP: node-name reloaded, proc-interval said to need a restart, nothing else" reload_ok
# A second program of another comm (its copy's name) taints a thread.
cp "$HOLD" "$TMP/holdtwo"
HOLD=$TMP/holdtwo hold_start two
# shellcheck disable=SC2154 # set by hold_start
check "after SIGHUP: the next taint exported with the reloaded node_name" \
	wait_for "$TMP/ev.json" "\"node_name\":\"after\",\"event\":\"thread_tainted\".*\"tid\":$two_tid," 100

# Cap 1: at most one comm value of its own, the rest is "_other"; our two
# tainted threads (their /proc links differ from their leaders') are
# both counted, whatever else the host has.  The page is rendered at the
# next tick after the record: read it until it shows both (10 s at most).
page_capped() {
	metric_page | /usr/bin/python3 -c '
import re, sys
vals, total = set(), 0
for line in sys.stdin:
    m = re.match(r"nstaint_tainted_threads\{comm=\"(.*)\"\} (\S+)$", line)
    if m:
        vals.add(m.group(1)); total += float(m.group(2))
sys.exit(not (len(vals) <= 2 and "_other" in vals and total >= 2))'
}
cap_ok() {
	local u1 u2
	u1=$(readlink "/proc/$one_pid/task/$one_tid/ns/uts")
	u2=$(readlink "/proc/$two_pid/task/$two_tid/ns/uts")
	[ "$u1" != "$(readlink "/proc/$one_pid/ns/uts")" ] &&
	[ "$u2" != "$(readlink "/proc/$two_pid/ns/uts")" ] || return 1
	for _ in $(seq 100); do
		page_capped && return 0
		sleep 0.1
	done
	return 1
}
check "--metrics-label-max 1: one comm value, then _other; both taints counted" cap_ok
hold_stop one
hold_stop two

kill -TERM "$agent"
wait "$agent"
arc=$?
agent=''
# Every line the agent wrote is a JSON object with time, level, msg
# (the backend's own "nstaint:" lines excepted: the proc backend has none).
json_ok() {
	[ "$arc" = 0 ] && /usr/bin/python3 - "$TMP/agent.err" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    assert set(e) == {"time", "level", "msg"} and e["time"].endswith("Z"), e
    n += 1
assert n >= 4, n
PY
}
check "--log-format=json: every stderr line a JSON object" json_ok
# The file is written as the loop ends, before the last lines drain: it
# counts at least our two lines and at most what the file holds.
textfile_ok() {
	local n
	n=$(sed -n 's/^nstaint_export_lines_total \([0-9]*\)$/\1/p' "$TMP/m.prom")
	[ -f "$TMP/m.prom" ] && [ ! -e "$TMP/m.prom.tmp" ] &&
	promtool check metrics <"$TMP/m.prom" &&
	grep -q '^nstaint_backend{backend="proc",hook="poll"} 1$' "$TMP/m.prom" &&
	[ -n "$n" ] && [ "$n" -ge 2 ] && [ "$n" -le "$(wc -l <"$TMP/ev.json")" ]
}
check "--metrics-textfile: written at exit, whole, promtool-clean, lines counted" textfile_ok

tap_done
