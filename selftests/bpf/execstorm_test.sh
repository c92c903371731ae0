#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The exec-hold path of `nstaint trace -- CMD` under an exec storm
# (selftests/bpf/execstorm.c): looper processes exec without pause, each
# exec stopped by BPF until trace has read the new program.  Reading
# programs must not keep trace from reading its events ring: the storm
# only ends once trace has printed the namespace records made in its
# middle, so a consumer that reads no event while exec checks keep coming
# never lets it end (before the fix: 4953 execs went by first, and a
# SIGINT in the storm was never acted on).  Every record is printed or
# counted lost, and no process is left stopped, also when trace is stopped
# in the middle of the storm.  Run from the top of the tree as root.
set -u
. selftests/lib/testlib.sh

STORM=$O/selftests/bpf/execstorm
EXECLOOP=$O/selftests/go/execloop
NLOOP=4
# shellcheck disable=SC2016 # expanded at exit
at_exit 'touch "$TMP"/d*/stop 2>/dev/null; wait'

plan 5

# More copies of the Go looper than goattr caches (32): each exec is of a
# file whose DWARF trace reads again, as on a host running many programs.
NCOPIES=40
mkdir "$TMP/copies"
for ((i = 0; i < NCOPIES; i++)); do cp "$EXECLOOP" "$TMP/copies/$i"; done

# wait_line FILE ERE PID: until a line of FILE matches ERE, or PID is gone.
wait_line() {
	while ! grep -Eq "$2" "$1" 2>/dev/null; do
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.1
	done
}

# 1. The storm ends only when trace has delivered the thread's exit (or
# said it lost records): trace must read its events ring meanwhile.  The
# 120 s bound only turns a consumer that never gets there into a failure.
mkdir "$TMP/d1"
timeout -k 5 120 $NSTAINT trace --json -- $STORM "$TMP/d1" $NLOOP "$TMP/copies" $NCOPIES \
	>"$TMP/run1" 2>"$TMP/err1" &
tpid=$!
wait_line "$TMP/run1" '"event":"(thread_exit|lost)"' $tpid
touch "$TMP/d1/stop"
wait $tpid
rc=$?
tid=$(sed -n 's/^storm tid=//p' "$TMP/run1")
grep '^{' "$TMP/run1" >"$TMP/run1.json"
diag "storm under trace: exit $rc, $(sed -n 's/^storm //p' "$TMP/run1" | tail -n 1)"
check "storm: trace read its events ring during the storm; every looper exited 0" \
	[ $rc -eq 0 ]
# 2. Nothing lost silently: the thread made three records.
lost=$(python3 -c "import json,sys; print(sum(e['count'] for e in map(json.loads, open(sys.argv[1])) if e['event']=='lost'))" "$TMP/run1.json")
got=$(jcount "$TMP/run1.json" "e.get('tid')==${tid:-0} and e['event'] in ('ns_change','thread_tainted','thread_exit')")
diag "storm: $got records of tid ${tid:-?} printed, $lost lost"
check "storm: ns_change, thread_tainted, thread_exit printed + lost == 3" \
	[ -n "${tid:-}" -a $((got + lost)) -eq 3 ]
check "storm: the exec checks ran (execs held and resumed: many execs)" \
	[ "$(sed -n 's/^storm execs=\([0-9]*\).*/\1/p' "$TMP/run1")" -ge $((NLOOP * 10)) ]

# 3. trace stopped (SIGINT) in the middle of the storm (--foreground: the
# signal goes to trace alone, not to the storm): the loopers held
# at that moment are resumed, and the storm, no longer traced, still ends
# with every looper reaped.
mkdir "$TMP/d2"
timeout --foreground -k 5 120 $NSTAINT trace --json -- $STORM "$TMP/d2" $NLOOP "$TMP/copies" $NCOPIES \
	>"$TMP/run2" 2>"$TMP/err2" &
tpid=$!
wait_line "$TMP/run2" '"event":"(thread_exit|lost)"' $tpid
spid=$(sed -n 's/^nstaint trace: attached, following pid //p' "$TMP/err2")
kill -INT $tpid
wait $tpid
rc=$?
diag "trace stopped mid-storm: exit $rc, storm pid ${spid:-?}"
check "stopped mid-storm: trace ends and says the command still runs" \
	[ $rc -eq 0 -a "$(grep -c "${spid:-x} still runs" "$TMP/err2")" -eq 1 ]
# The storm goes on untraced; stop it and wait for its own report, which
# it prints only once every looper was reaped.
touch "$TMP/d2/stop"
for _ in $(seq 1200); do
	grep -q '^storm execs=' "$TMP/run2" && break
	sleep 0.1
done
check "stopped mid-storm: no looper left stopped, all exited 0" \
	[ "$(grep -c 'loopers_failed=0$' "$TMP/run2")" -eq 1 ]
tap_done
