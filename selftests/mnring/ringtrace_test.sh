#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Report rings read by `nstaint trace` (BPF backend) on the same pipeline
# as the kernel's records: every report libmn makes, from a real libmn
# program (mnreport.c), arrives as a JSON event whose fields are checked
# against what the program printed (its pid, task and thread ids, the
# namespace inodes stat(2) gave it, the source lines of its race PCs),
# against its exit status and its stderr text.  No sleeps: the program
# lingers at exit until trace has read its ring (libmn:ring_ready's
# semaphore), and trace's output is complete once it exits.  Run from
# the top of the tree as root.
set -u
. selftests/lib/testlib.sh

PROG=$O/selftests/mnring/mnreport
# Generous: a loaded host must not turn a linger's timeout into a loss.
export MN_RING_LINGER_MS=20000

# field FILE WORD KEY: KEY=value from the program's first line WORD ...
field() {
	sed -n "s/^$2 .*\\b$3=\\([0-9]*\\).*/\\1/p" "$1" | head -1
}

# summary FILE WHAT: the number before WHAT in trace's reports line.
summary() {
	sed -n "s/^nstaint trace: reports:.*[ ;]\\([0-9]*\\) $2.*/\\1/p" "$1" | head -1
}

# run NAME ARGS...: trace --json -- mnreport ARGS ($BIN instead if set);
# $rc its status.
run() {
	_n=$1
	shift
	timeout 120 $NSTAINT trace --json -- ${BIN:-$PROG} "$@" >"$TMP/$_n" 2>"$TMP/$_n.err"
	rc=$?
	grep '^{' "$TMP/$_n" >"$TMP/$_n.json"
}

ERRORS="send_closed close_closed close_nil unlock_unlocked cond_unlocked wg_negative wg_reuse
	deadlock outside_task"
plan $((3 * 9 + 19))

# Each fatal misuse: one runtime_error of its kind from the program's pid,
# about the task that made it, with the text libmn printed on stderr, a
# stack symbolized into this program; the program's status (2) is trace's.
for kind in $ERRORS; do
	run $kind $kind
	pid=$(field "$TMP/$kind" main pid)
	task=$(field "$TMP/$kind" main task)
	[ $kind = outside_task ] && task=0
	[ $kind = deadlock ] && task=0
	msg=$(sed -n 's/^fatal error: //p' "$TMP/$kind.err" | head -1)
	diag "$kind: rc=$rc pid=${pid:-?} task=${task:-?} msg=$msg"
	check "$kind: trace exits with the program's status 2, reports counted" \
		[ "$rc" -eq 2 -a "$(summary "$TMP/$kind.err" runtime_error)" = 1 ]
	check "$kind: one runtime_error of that kind, its pid, task and text" \
		[ "$(MSG="$msg" jcount "$TMP/$kind.json" "e['event']=='runtime_error' and e['error']=='$kind' and e['pid']==${pid:-0} and e['task_id']==${task:-1} and e['message']==__import__('os').environ['MSG'] and e['source']=='report_ring' and not e['on_tainted_thread']")" -eq 1 ]
	# The deadlock verdict is sysmon's, on its own thread.
	src=mnreport.c
	[ $kind = deadlock ] && src=sysmon.c
	check "$kind: its stack is symbolized into $src" \
		[ "$(jcount "$TMP/$kind.json" "e['event']=='runtime_error' and any(f=='$src' for _, f, _ in frames(e))")" -eq 1 ]
done

# The same on libmn.so (RUNPATH, as mnrace-cc links it): the probe is
# attached in the libmn.so its DT_NEEDED names before the loader maps it.
BIN=$PROG-so run so close_closed
pid=$(field "$TMP/so" main pid)
diag "libmn.so: rc=$rc pid=${pid:-?}"
check "libmn.so: its runtime_error arrives, symbolized in libmn.so" \
	[ "$rc" -eq 2 -a "$(jcount "$TMP/so.json" "e['event']=='runtime_error' and e['pid']==${pid:-0} and e['error']=='close_closed' and any('libmn.so' in f.get('module','') and f.get('func')=='mn_chan_close' for f in e['stack'])")" -eq 1 ]

# Leaks at exit: the blocked task and its creator, the context.
MN_LEAKS=1 run leaks leaks
leak=$(field "$TMP/leaks" leak task)
creator=$(field "$TMP/leaks" leak creator)
pid=$(field "$TMP/leaks" main pid)
diag "leaks: rc=$rc pid=${pid:-?} task=${leak:-?} creator=${creator:-?}"
check "leaks: one task_leak naming the blocked task and its creator" \
	[ "$rc" -eq 0 -a "$(jcount "$TMP/leaks.json" "e['event']=='task_leak' and e['pid']==${pid:-0} and e['task_id']==${leak:-0} and e['creator_id']==${creator:-0} and 'blocked in' in e['message']")" -eq 1 ]
check "leaks: one ctx_leak, made at leaky.c:42" \
	[ "$(jcount "$TMP/leaks.json" "e['event']=='ctx_leak' and e['pid']==${pid:-0} and 'leaky.c:42' in e['message']")" -eq 1 ]

# A retired thread: its tid and the uts inodes the task stat'ed.
run retired retired
tid=$(field "$TMP/retired" retired tid)
old=$(field "$TMP/retired" retired old)
new=$(field "$TMP/retired" retired new)
diag "retired: rc=$rc tid=${tid:-?} uts ${old:-?} -> ${new:-?}"
check "retired: thread_retired names the thread and its uts inodes" \
	[ "$rc" -eq 0 -a "$(jcount "$TMP/retired.json" "e['event']=='thread_retired' and e['thread']==${tid:-0} and e['ns_old']['uts']==${old:-0} and e['ns']['uts']==${new:-0} and e['differs']==['uts']")" -eq 1 ]

# Data races through mn_ring_report: the access's PC (a return address,
# as mnrace's) at race_site's marked line, its caller's at the call's
# line; the task that had unshared its thread unlocked is
# on_tainted_thread, the other not; --fail-on-race exits 66 for them and 0 without.
run race race
for w in race_clean race_tainted; do
	eval "${w}_task=\$(field \"\$TMP/race\" $w task)"
done
line=$(field "$TMP/race" race_clean line)
call=$(field "$TMP/race" race_clean call)
addr=$(field "$TMP/race" race_clean addr)
diag "race: rc=$rc clean task=${race_clean_task:-?} tainted task=${race_tainted_task:-?} line=${line:-?} call=${call:-?}"
check "race: two data_race events, counted" \
	[ "$rc" -eq 0 -a "$(summary "$TMP/race.err" data_race)" = 2 -a \
	  "$(jcount "$TMP/race.json" "e['event']=='data_race'")" -eq 2 ]
check "race: the access's PCs symbolized to race_site's line and the call's" \
	[ "$(jcount "$TMP/race.json" "e['event']=='data_race' and e['task_id']==${race_clean_task:-0} and int(e['access']['addr'],16)==${addr:-0} and e['access']['write'] and not e['previous']['write'] and frames(e['access'])[:2]==[('race_site','mnreport.c',${line:-0}),('report_race','mnreport.c',${call:-0})] and frames(e['previous'])==[('race_site','mnreport.c',${line:-0})] and e['location']['kind']=='global'")" -eq 1 ]
check "race: on_tainted_thread only for the task that tainted its thread" \
	[ "$(jcount "$TMP/race.json" "e['event']=='data_race' and e['task_id']==${race_clean_task:-0} and not e['on_tainted_thread']")" -eq 1 -a \
	  "$(jcount "$TMP/race.json" "e['event']=='data_race' and e['task_id']==${race_tainted_task:-0} and e['on_tainted_thread']")" -eq 1 ]
timeout 120 $NSTAINT trace --fail-on-race -- $PROG race >/dev/null 2>&1
r1=$?
timeout 120 $NSTAINT trace --fail-on-race -- $PROG retired >/dev/null 2>&1
r2=$?
diag "--fail-on-race: race $r1, retired $r2"
check "race: --fail-on-race exits 66 after a data race, 0 without" \
	[ "$r1" -eq 66 -a "$r2" -eq 0 ]
check "race: the text sink names both accesses and the stacks" \
	[ "$(timeout 120 $NSTAINT trace -- $PROG race 2>/dev/null | grep -cE '^data_race .* write of 4 bytes|^  previous read of 4 bytes|race_site\+0x[0-9a-f]+ at .*mnreport.c')" -ge 6 ]

# A flood larger than the ring (16 records): every record is either an
# event or counted as lost by the writer, as many as the program was told.
MN_RING_RECORDS=16 run flood flood 5000
produced=$(field "$TMP/flood" flood produced)
dropped=$(field "$TMP/flood" flood dropped)
got=$(jcount "$TMP/flood.json" "e['event']=='task_leak' and e['message'].startswith('flood ')")
lost=$(summary "$TMP/flood.err" "records lost by writers")
diag "flood: rc=$rc produced=${produced:-?} events=$got lost=${lost:-?} (program: dropped=${dropped:-?})"
check "flood: delivered + lost == produced" \
	[ "$rc" -eq 0 -a -n "$lost" -a $((got + ${lost:-0})) -eq "${produced:-0}" ]
streamed=$(python3 -c '
import json, sys
print(sum(e["count"] for e in map(json.loads, open(sys.argv[1]))
          if e["event"] == "lost" and e["stage"] == "report_ring"))' "$TMP/flood.json")
diag "flood: lost events of stage report_ring: ${streamed:-?} reports"
check "flood: the lost count is the writer's own, in the summary and as lost events" \
	[ "${lost:-x}" = "${dropped:-y}" -a "${streamed:-z}" = "${dropped:-y}" ]

# A hostile ring beside a sound one: the hostile process loses its reports
# from the scribble on (one invalid, one ring broken, counted); the other
# process's report arrives; trace ends normally.
timeout 120 $NSTAINT trace --json -- sh -c "MN_RING_LINGER_MS=0 $PROG hostile & $PROG close_closed; wait" \
	>"$TMP/hostile" 2>"$TMP/hostile.err"
rc=$?
grep '^{' "$TMP/hostile" >"$TMP/hostile.json"
hpid=$(field "$TMP/hostile" hostile pid)
opid=$(sed -n 's/^main pid=\([0-9]*\).*/\1/p' "$TMP/hostile" | grep -vx "${hpid:-0}" | head -1)
diag "hostile: rc=$rc hostile pid=${hpid:-?} other pid=${opid:-?}; $(grep '^nstaint trace: reports' "$TMP/hostile.err")"
check "hostile: the scribbler ran to its end, trace exited normally" \
	[ "$rc" -eq 0 ] && grep -q 'hostile scribbled' "$TMP/hostile"
check "hostile: its good record arrived, nothing after" \
	[ "$(jcount "$TMP/hostile.json" "e.get('pid')==${hpid:-0} and e['source']=='report_ring'")" -eq 1 -a \
	  "$(jcount "$TMP/hostile.json" "e.get('pid')==${hpid:-0} and e['event']=='task_leak' and e['message']=='hostile ok'")" -eq 1 ]
check "hostile: one invalid record and one broken ring, counted and said" \
	[ "$(summary "$TMP/hostile.err" invalid)" = 1 -a "$(summary "$TMP/hostile.err" broken)" = 1 ] && \
	grep -q "pid ${hpid:-0}: report ring given up" "$TMP/hostile.err"
check "hostile: the other process's report still arrived" \
	[ "$(jcount "$TMP/hostile.json" "e['event']=='runtime_error' and e['pid']==${opid:-0} and e['error']=='close_closed'")" -eq 1 ]

# Started before trace: its ring is found in its registry (-p PID), read
# once it reports.
rm -f "$TMP/in"
mkfifo "$TMP/in"
$PROG pre close_closed <"$TMP/in" >"$TMP/pre.out" 2>&1 &
mpid=$!
exec 9>"$TMP/in"
wait_for "$TMP/pre.out" '^ready'
timeout 120 $NSTAINT trace --json -p $mpid >"$TMP/pre" 2>"$TMP/pre.err" 9>&- &
tpid=$!
wait_attached "$TMP/pre.err"
echo go >&9
exec 9>&-
wait $mpid
prc=$?
kill -INT $tpid
wait $tpid
task=$(field "$TMP/pre.out" main task)
diag "pre: program rc=$prc pid=$mpid task=${task:-?}"
check "pre: a program started before trace: its runtime_error arrives" \
	[ "$prc" -eq 2 -a "$(jcount "$TMP/pre" "e['event']=='runtime_error' and e['pid']==$mpid and e['task_id']==${task:-0} and e['error']=='close_closed'")" -eq 1 ]
check "pre: the ring was found without a probe firing (1 read)" \
	[ "$(summary "$TMP/pre.err" read)" = 1 ]

# Rings are let go when their processes end: under trace -p (their
# shell's pid) one reporting program runs (its file's probes get
# attached), then 20 more one after another; once the last is gone,
# trace maps no ring any more and holds no more fds than after the first.
# unmapped PID: wait (bounded) until PID maps no report ring.
unmapped() {
	for _ in $(seq 300); do
		grep -q 'memfd:mn-ring' /proc/$1/maps || return 0
		sleep 0.1
	done
	return 1
}
rm -f "$TMP/go1" "$TMP/go2" "$TMP/go3"
mkfifo "$TMP/go1" "$TMP/go2" "$TMP/go3"
sh -c "read x <$TMP/go1; $PROG close_closed; echo first; read x <$TMP/go2;
	for i in \$(seq 20); do $PROG close_closed; done; echo done; read y <$TMP/go3" \
	>"$TMP/many.out" 2>/dev/null &
spid=$!
$NSTAINT trace --json -p $spid >"$TMP/many" 2>"$TMP/many.err" &
tpid=$!
wait_attached "$TMP/many.err"
echo go >"$TMP/go1"
wait_for "$TMP/many.out" '^first' 600
unmapped $tpid
fd0=$(ls /proc/$tpid/fd | wc -l)
echo go >"$TMP/go2"
wait_for "$TMP/many.out" '^done' 1200
unmapped $tpid
maps=$(grep -c 'memfd:mn-ring' /proc/$tpid/maps)
fd1=$(ls /proc/$tpid/fd | wc -l)
echo go >"$TMP/go3"
wait $spid
kill -INT $tpid
wait $tpid
diag "many: fds after the first $fd0, after 20 more $fd1; rings mapped after: $maps; $(grep '^nstaint trace: reports' "$TMP/many.err")"
check "many: 21 runtime errors read; no ring mapped, no fd left after" \
	[ "$(jcount "$TMP/many" "e['event']=='runtime_error' and e['error']=='close_closed'")" -eq 21 -a \
	  "$maps" -eq 0 -a "$fd1" -eq "$fd0" ]

# Nobody attached: no linger at all (the semaphore is 0), and libmn says
# nothing about the ring.
MN_RING_LINGER_MS=600000 timeout 20 $PROG close_closed >/dev/null 2>"$TMP/alone.err"
check "alone: without a tracer the program exits at once with status 2" \
	[ $? -eq 2 ]
tap_done
