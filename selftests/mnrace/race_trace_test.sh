#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# mnrace's races reach `nstaint trace` through the report ring, end to
# end: each seed pattern of selftests/mnrace/progs (libmn tasks, built
# with mnrace-cc) runs under `nstaint trace --json --fail-on-race`.
#  - The racy variant gives exactly as many data_race events as mnrace
#    printed reports (one), from the program's pid, whose two stacks name
#    the lines marked in the source: the current access at mark:second,
#    the previous at mark:first (both at mark:first where two tasks run
#    the same line).  The oracle is the source (grep -n of
#    the marks), as in mnrace_test.sh, and mnrace's stderr text.
#  - trace exits 66 for the race although the program itself exits 0
#    (MNRACE_OPTIONS=exitcode=0), so 66 is trace's verdict, not the
#    program's status passed on; without --fail-on-race it is 0.
#  - The fixed variant gives no data_race event and status 0.
# No sleeps: libmn lingers at exit until trace has read the ring.  Run
# from the top of the tree as root.
set -u
. selftests/lib/testlib.sh

P=$O/selftests/mnrace/progs
SRC=selftests/mnrace/progs
SEEDS="seed_loopvar seed_err seed_slice seed_map seed_mutexcopy seed_future
	seed_wgadd seed_table seed_ctxval"
# Both accesses on one line (two tasks run the same code), as in
# mnrace_test.sh.
SAME_LINE="seed_map seed_table"
export MNRACE_OPTIONS=exitcode=0
# Generous: a loaded host must not turn a linger's timeout into a loss.
export MN_RING_LINGER_MS=20000

mark() { grep -n "// mark:$2\$" "$SRC/$1.c" | cut -d: -f1; }

# run NAME VARIANT [TRACE OPTIONS...]: $rc, $TMP/NAME.VARIANT{,.err}
run() {
	_n=$1
	_v=$2
	shift 2
	timeout 120 $NSTAINT trace --json "$@" -- "$P/$_n" "$_v" \
		>"$TMP/$_n.$_v" 2>"$TMP/$_n.$_v.err"
	rc=$?
}

# The first frame of stack S of event e in the program's own source, as
# "line", from python (jcount's frames() reads e['stack'] only).
FIRST='next((f["line"] for f in e["%s"]["stack"] if f.get("file", "").endswith("/%s.c")), 0)'

plan $(( $(echo $SEEDS | wc -w) * 3 + 1 ))

for name in $SEEDS; do
	run "$name" race --fail-on-race
	pid=$(sed -n 's/.*"event":"data_race","time":[0-9.]*,"pid":\([0-9]*\),.*/\1/p' \
		"$TMP/$name.race" | head -1)
	texts=$(grep -c '^WARNING: mnrace: data race' "$TMP/$name.race.err")
	prev=$(mark "$name" first)
	case " $SAME_LINE " in
	*" $name "*) cur=$prev ;;
	*) cur=$(mark "$name" second) ;;
	esac
	# shellcheck disable=SC2059 # FIRST is a format
	n=$(jcount "$TMP/$name.race" "e['event'] == 'data_race' and \
		e['source'] == 'report_ring' and e['pid'] == ${pid:-0} and \
		$(printf "$FIRST" access "$name") == $cur and \
		$(printf "$FIRST" previous "$name") == $prev")
	diag "$name: race: rc=$rc, $texts text reports, $n events at lines $cur/$prev"
	check "$name: race: --fail-on-race exits 66, the program 0" [ "$rc" -eq 66 ]
	check "$name: race: one data_race event per text report, at $name.c:$cur against $name.c:$prev" \
		[ "$texts" -eq 1 -a "$n" -eq 1 -a \
		  "$(jcount "$TMP/$name.race" "e['event'] == 'data_race'")" -eq 1 ]

	run "$name" norace --fail-on-race
	check "$name: norace: status 0 and no data_race event" \
		[ "$rc" -eq 0 -a "$(jcount "$TMP/$name.norace" "e['event'] == 'data_race'")" -eq 0 ]
done

# Without --fail-on-race the race is shown, and the status is the
# program's (0).
run seed_loopvar race
check "no --fail-on-race: status 0, the data_race still shown" \
	[ "$rc" -eq 0 -a "$(jcount "$TMP/seed_loopvar.race" "e['event'] == 'data_race'")" -eq 1 ]
tap_done
