#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Selftests of `nstaint trace --lazy`: no setns/unshare hook, namespace
# changes found at the thread's next context switch (or clone, exec,
# exit).  The Go leak demo, a process moving as a whole, a thread that
# restores after a sleep, exit statuses, and that no syscall tracepoint of
# nstaint's is attached.  Run from the top of the tree as root.
set -u
. selftests/lib/testlib.sh

NSFLIP=$O/selftests/bpf/nsflip
LEAK=$O/selftests/go/leak
tracer=
stop_tracer() {
	[ -n "$tracer" ] || return 0
	kill -INT "$tracer" 2>/dev/null
	wait "$tracer" 2>/dev/null
	tracer=
}
at_exit stop_tracer

plan 13

# The Go leak demo: the thread its locked goroutine unshared on is seen
# tainted at its next switch, and goroutine 1 running there is named.
timeout 60 $NSTAINT trace --lazy --json -- sh -c "sleep 2 | $LEAK" \
	>"$TMP/leak" 2>"$TMP/leak.err"
rc=$?
grep -v '^{' "$TMP/leak" >"$TMP/leak.out"
grep '^{' "$TMP/leak" >"$TMP/leak.json"
read -r tid ino < <(sed -n 's/^tainted tid=\([0-9]*\) netns=\([0-9]*\).*/\1 \2/p' "$TMP/leak.out")
diag "leak: rc=$rc tid=${tid:-?} netns=${ino:-?}"
check "lazy leak: demo runs under trace --lazy and exits 0" \
	[ "$rc" -eq 0 -a -n "${tid:-}" ]
check "lazy leak: thread_tainted (cause sched) for the printed tid, new netns" \
	[ "$(jcount "$TMP/leak.json" "e['event']=='thread_tainted' and e['cause']=='sched' and e['tid']==${tid:-0} and e['ns']['net']==${ino:-0} and e['differs']==['net']")" -eq 1 ]
check "lazy leak: task_on_tainted_thread names goroutine 1 on that tid" \
	[ "$(jcount "$TMP/leak.json" "e['event']=='task_on_tainted_thread' and e['cause']=='sched' and e['tid']==${tid:-0} and e['task_id']==1")" -eq 1 ]
# --lazy hooks system call entry too, attached once the taint is seen
# (the process held until then): main's read() of its stdin is named.
check "lazy leak: goroutine 1 named at read() entry" \
	[ "$(jcount "$TMP/leak.json" "e['event']=='task_on_tainted_thread' and e['cause']=='syscall' and e['tid']==${tid:-0} and e['task_id']==1 and e['syscall']=='read'")" -eq 1 ]
check "lazy leak: ns_change without a syscall return value" \
	[ "$(jcount "$TMP/leak.json" "e['event']=='ns_change' and e['tid']==${tid:-0} and e['changed']==['net'] and 'ret' not in e")" -eq 1 ]

# A single-threaded process that unshares moved as a whole: ns_change with
# home_moved, and nothing else.
timeout 30 $NSTAINT trace --lazy --json -- $NSFLIP whole >"$TMP/whole" 2>/dev/null
grep '^{' "$TMP/whole" >"$TMP/whole.json"
check "lazy whole: one ns_change, home moved, nothing differs" \
	[ "$(jcount "$TMP/whole.json" "e['event']=='ns_change' and e['home_moved'] and e['changed']==['net'] and e['differs']==[]")" -eq 1 ]
check "lazy whole: no other record" [ "$(wc -l <"$TMP/whole.json")" -eq 1 ]

# A thread that sleeps while tainted, then restores: seen both ways.
timeout 30 $NSTAINT trace --lazy --json -- $NSFLIP sleepflip >"$TMP/flip" 2>/dev/null
tid=$(sed -n 's/^sleepflip tid=//p' "$TMP/flip")
grep '^{' "$TMP/flip" >"$TMP/flip.json"
check "lazy sleepflip: ns_change, tainted, ns_change, restored for that tid" \
	[ "$(python3 -c "import json,sys; print(','.join(e['event'] for e in map(json.loads, open(sys.argv[1])) if e['tid']==int(sys.argv[2])))" "$TMP/flip.json" "${tid:-0}")" = "ns_change,thread_tainted,ns_change,thread_restored" ]

# Exit statuses.
timeout 30 $NSTAINT trace --lazy --fail-on-taint -- $NSFLIP sleepflip >/dev/null 2>&1
check "lazy --fail-on-taint on a thread that restores exits 0" [ $? -eq 0 ]
timeout 60 $NSTAINT trace --lazy --fail-on-taint -- sh -c "sleep 1 | $LEAK" >/dev/null 2>&1
check "lazy --fail-on-taint on the leak demo exits 66" [ $? -eq 66 ]

# No syscall tracepoint: bpftool perf lists the perf-event attachments of
# each process.  The tracepoint fallback is the control: it must show
# nstaint's sys_exit_setns there, or the check below proves nothing.
tp_of() {	# tp_of [TRACE ARGS]: nstaint's syscall tracepoints, sorted
	$NSTAINT trace "$@" >/dev/null 2>"$TMP/tp.err" & tracer=$!
	wait_attached "$TMP/tp.err"
	grep -q '^nstaint trace: attached' "$TMP/tp.err" || echo "(not attached)"
	bpftool perf show 2>/dev/null |
		awk -v p="$tracer" '$1 == "pid" && $2 == p' |
		grep -o 'sys_\(enter\|exit\)_[a-z]*' | sort -u | tr '\n' ' '
	stop_tracer
}
fallback=$(NSTAINT_NO_FENTRY=1 tp_of)
lazy=$(tp_of --lazy)
diag "syscall tracepoints: fallback '$fallback' lazy '$lazy'"
check "control: the tracepoint fallback shows nstaint's setns/unshare hooks" \
	[ "$fallback" = "sys_enter_setns sys_enter_unshare sys_exit_setns sys_exit_unshare " ]
check "lazy: no syscall tracepoint attached" [ -z "$lazy" ]

$NSTAINT trace --lazy --backend=kmod -- /bin/true >/dev/null 2>"$TMP/kmod.err"
rc=$?
check "trace --lazy --backend=kmod is refused (2) with a reason" \
	[ $rc -eq 2 -a "$(grep -c -- '--lazy is a mode of the bpf backend' "$TMP/kmod.err")" -eq 1 ]
tap_done
