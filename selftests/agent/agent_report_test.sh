#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# `nstaint agent` and libmn's report rings, under a real Prometheus: the
# libmn program mnreport (selftests/mnring/mnreport.c) makes runtime
# errors, a task leak and data races, one run each, and Prometheus must
# store as many of each as the runs made (nstaint_data_races_total,
# nstaint_runtime_errors_total{kind}, nstaint_task_leaks_total), the
# export must carry each report once, in the envelope, under the run's
# pid.  The agent watches the whole host: the counters are compared with
# the exported report lines of every process, and the runs' own lines
# with what the runs made (the oracle: the programs, their pids and exit
# statuses).  One mnreport started before the agent (its ring is found in
# its registry at start) also teaches the agent the file, so the runs
# after find libmn:ring_ready attached as they start; a copy of it the
# agent has never seen, started after it, is found at its exec.  Run from the top
# of the tree as root.
set -u
. selftests/lib/testlib.sh
. selftests/lib/promtest.sh

PROG=$O/selftests/mnring/mnreport
export MN_RING_LINGER_MS=20000
agent=''
pre=''
stop_all() {
	[ -n "$pre" ] && kill "$pre" 2>/dev/null
	prom_stop
	[ -n "$agent" ] && kill "$agent" 2>/dev/null && wait "$agent" 2>/dev/null
}
at_exit stop_all

plan 7

mkfifo "$TMP/in"
$PROG pre close_closed <"$TMP/in" >"$TMP/pre.out" 2>&1 &
pre=$!
exec 9>"$TMP/in"
wait_for "$TMP/pre.out" '^ready'

"$NSTAINT" agent --metrics-address 127.0.0.1:0 --export=file \
	--export-file "$TMP/ev.json" --node-name ring-node \
	>"$TMP/agent.out" 2>"$TMP/agent.err" 9>&- &
agent=$!
wait_for "$TMP/agent.err" '^nstaint agent: attached' 600
port=$(sed -n 's/^nstaint agent: metrics on port \([0-9]*\)$/\1/p' "$TMP/agent.err")
diag "agent pid $agent, metrics port ${port:-?}"
prom_start "$port"
query() { prom_query "$1" | cut -d' ' -f1; }
# query_is EXPR VALUE: true once Prometheus answers VALUE (within 30 s).
query_is() {
	for _ in $(seq 300); do
		[ "$(query "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	diag "$1: $(query "$1"), not $2"
	return 1
}

# The runs: each lingers at exit until the agent has read its ring.
pids=''
statuses=''
for mode in send_closed wg_negative race; do
	$PROG $mode >"$TMP/$mode.out" 2>&1
	statuses="$statuses $mode=$?"
	pids="$pids $(sed -n 's/^main pid=\([0-9]*\).*/\1/p' "$TMP/$mode.out")"
done
MN_LEAKS=1 $PROG leaks >"$TMP/leaks.out" 2>&1
statuses="$statuses leaks=$?"
pids="$pids $(sed -n 's/^main pid=\([0-9]*\).*/\1/p' "$TMP/leaks.out")"
echo go >&9
exec 9>&-
wait "$pre"
statuses="$statuses pre=$?"
pids="$pids $pre"
prepid=$pre
pre=''
diag "runs:$statuses; pids:$pids"
# A file the agent has never seen (a copy), started after it: its exec is
# looked at (not held), the probe attached in it, which the program sees
# as its semaphore raised; then it reports.
cp $PROG "$TMP/fresh"
mkfifo "$TMP/fin"
"$TMP/fresh" probed wg_negative <"$TMP/fin" >"$TMP/fresh.out" 2>&1 &
fresh=$!
exec 7>"$TMP/fin"
wait_for "$TMP/fresh.out" '^probed' 600
echo go >&7
exec 7>&-
wait "$fresh"
statuses="$statuses fresh=$?"
pids="$pids $fresh"
diag "fresh: $(head -1 "$TMP/fresh.out")"
check "the runs ended as libmn ends them (2 after a fatal error, else 0)" \
	[ "$statuses" = " send_closed=2 wg_negative=2 race=0 leaks=0 pre=2 fresh=2" ]

# lines KIND [PIDS]: exported report lines of event KIND (of PIDS only).
lines() {
	/usr/bin/python3 - "$TMP/ev.json" "$1" "${2:-}" <<'PY'
import json, sys
pids = {int(p) for p in sys.argv[3].split()}
n = 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("source") != "report_ring" or e["event"] != sys.argv[2]:
        continue
    assert e["schema"] == 1 and e["node_name"] == "ring-node" and isinstance(e["ktime"], float), e
    if not pids or e["pid"] in pids:
        n += 1
print(n)
PY
}

# The export's writer thread may still be writing the last line: wait
# for the runs' lines (the last of them the fresh file's).
for _ in $(seq 300); do
	[ "$(lines runtime_error "$fresh")" = 1 ] && break
	sleep 0.1
done

# Prometheus has them, as many as the runs made (2 races, 1 leak, one
# error of each kind): first wait until it stores the last of them.
check "Prometheus: nstaint_data_races_total is the exported races, 2 of them ours" \
	query_is 'nstaint_data_races_total' "$(lines data_race)" && [ "$(lines data_race "$pids")" = 2 ]
check "Prometheus: nstaint_task_leaks_total is the exported leaks, 1 of them ours" \
	query_is 'nstaint_task_leaks_total' "$(lines task_leak)" && [ "$(lines task_leak "$pids")" = 1 ]
errors_ok() {
	local kind n
	for kind in send_closed wg_negative close_closed; do
		want=1
		[ $kind = wg_negative ] && want=2	# the fresh file's too
		n=$(/usr/bin/python3 - "$TMP/ev.json" "$kind" "$pids" <<'PY'
import json, sys
pids = {int(p) for p in sys.argv[3].split()}
lines = [json.loads(l) for l in open(sys.argv[1])]
errs = [e for e in lines if e["event"] == "runtime_error" and e["error"] == sys.argv[2]]
print(len(errs), sum(e["pid"] in pids for e in errs))
PY
)
		diag "runtime_error $kind: exported (all, ours) = $n"
		[ "${n#* }" = "$want" ] || return 1
		query_is "nstaint_runtime_errors_total{kind=\"$kind\"}" "${n% *}" || return 1
	done
}
check "Prometheus: nstaint_runtime_errors_total{kind} per kind, each of ours" errors_ok
check "a new file started after the agent: its report was read" \
	[ "$(lines runtime_error "$fresh")" = 1 ]
check "the ring of the run started before the agent was found and read" \
	[ "$(lines runtime_error "$prepid")" = 1 ]
# The host's other processes may have rings too: only that each problem
# is a series Prometheus stores is judged here (ringtrace_test counts
# them for processes of its own).
problems_ok() {
	local p
	for p in lost invalid broken refused; do
		[ -n "$(query "nstaint_report_ring_problems_total{problem=\"$p\"}")" ] || return 1
	done
}
check "Prometheus: nstaint_report_ring_problems_total{problem} stored for each problem" problems_ok
tap_done
