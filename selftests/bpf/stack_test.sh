#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Selftests of the user stacks that `nstaint trace` attaches to ns_change,
# thread_tainted and clone records, symbolized with libdwfl: the Go leak
# demo's unshare call, a C program's file:line, a fork from a tainted
# thread, a stack deeper than a record holds, a frame-pointer chain that
# runs into data, and a process that is gone, or has exec'd, before trace
# reads its record (raw addresses only).
# Run from the top of the tree as root.
set -u
. selftests/lib/testlib.sh

STACKPROG=$O/selftests/bpf/stackprog
LEAK=$O/selftests/go/leak

plan 18

# The Go leak demo: the stack of the unshare that tainted the leader
# thread goes through syscall.Unshare, the demo's function (at the line
# of its Unshare call) and main.main.
uline=$(grep -n 'syscall.Unshare(' selftests/go/leak/main.go | cut -d: -f1)
timeout 60 $NSTAINT trace --json -- sh -c "sleep 2 | $LEAK" \
	>"$TMP/leak" 2>"$TMP/leak.err"
tid=$(sed -n 's/^tainted tid=\([0-9]*\).*/\1/p' "$TMP/leak")
diag "leak: tid=${tid:-?} Unshare at main.go:$uline"
check "leak: thread_tainted stack has main.goroutineWithNs at main.go:$uline" \
	[ "$(jcount "$TMP/leak" "e['event']=='thread_tainted' and e['tid']==${tid:-0} and ('main.goroutineWithNs','main.go',$uline) in frames(e)")" -eq 1 ]
check "leak: thread_tainted stack has syscall.Unshare and main.main, in that order" \
	[ "$(jcount "$TMP/leak" "e['event']=='thread_tainted' and [f[0] for f in frames(e) if f[0] in ('syscall.Unshare','main.goroutineWithNs','main.main')]==['syscall.Unshare','main.goroutineWithNs','main.main'] and not e['stack_truncated']")" -eq 1 ]
check "leak: ns_change carries the same stack" \
	[ "$(jcount "$TMP/leak" "e['event']=='ns_change' and e['tid']==${tid:-0} and ('main.goroutineWithNs','main.go',$uline) in frames(e)")" -eq 1 ]
check "leak: no stack on a task_on_tainted_thread seen at a switch" \
	[ "$(jcount "$TMP/leak" "e['event']=='task_on_tainted_thread' and e['cause']=='sched' and 'stack' in e")" -eq 0 ]
# At system call entry the stack is the call's: main's read() of stdin
# goes through bufio.(*Reader).ReadString, called from main.main.  The
# read is named only if goroutine 1 still ran on the poisoned thread then
# (the Go scheduler's choice), so: every such record has that stack.
check "leak: a read() on the tainted thread has the stack of the call" \
	[ "$(jcount "$TMP/leak" "e['event']=='task_on_tainted_thread' and e.get('syscall')=='read' and [f[0] for f in frames(e) if f[0] in ('syscall.read','bufio.(*Reader).ReadString','main.main')]!=['syscall.read','bufio.(*Reader).ReadString','main.main']")" -eq 0 ]
check "leak: system calls on the tainted thread carry a stack" \
	[ "$(jcount "$TMP/leak" "e['event']=='task_on_tainted_thread' and e['cause']=='syscall' and 'stack' in e")" -ge 1 ]

# Text output: one indented line per frame after the event line.
timeout 60 $NSTAINT trace -- sh -c "sleep 2 | $LEAK" >"$TMP/leak.txt" 2>&1
check "text: frame lines follow thread_tainted, with function and file:line" \
	grep -A8 '^thread_tainted' "$TMP/leak.txt" -m1 -q -E \
	"^    #[0-9]+ +0x[0-9a-f]+ main\.goroutineWithNs\+0x[0-9a-f]+ at .*/main\.go:$uline \(leak\)$"

# C, -g -fno-omit-frame-pointer: file:line of the call in worker().
timeout 30 $NSTAINT trace --json -- sh -c "sleep 1 | $STACKPROG line" \
	>"$TMP/c" 2>/dev/null
cline=$(sed -n 's/^line=//p' "$TMP/c")
diag "C: call at stackprog.c:${cline:-?}"
check "C: thread_tainted stack has worker at stackprog.c:$cline" \
	[ "$(jcount "$TMP/c" "e['event']=='thread_tainted' and ('worker','stackprog.c',${cline:-0}) in frames(e)")" -eq 1 ]
check "C: the innermost frame is libc's unshare" \
	[ "$(jcount "$TMP/c" "e['event']=='thread_tainted' and e['stack'][0].get('func')=='unshare' and 'libc' in e['stack'][0].get('module','')")" -eq 1 ]

# A process cloned from the tainted thread: the stack is the parent's (the
# clone call in worker()), symbolized in the parent's process although
# the record is about the child, which has exited by then.
timeout 30 $NSTAINT trace --json -- sh -c "sleep 1 | $STACKPROG fork" \
	>"$TMP/fork" 2>/dev/null
fline=$(sed -n 's/^fork_line=//p' "$TMP/fork")
check "fork: clone_from_tainted stack has worker at stackprog.c:$fline" \
	[ "$(jcount "$TMP/fork" "e['event']=='clone_from_tainted' and e['new_process'] and ('worker','stackprog.c',${fline:-0}) in frames(e)")" -eq 1 ]

# Deeper than NSTAINT_MAX_STACK (16): truncated, innermost frames kept.
timeout 30 $NSTAINT trace --json -- sh -c "sleep 1 | $STACKPROG deep" \
	>"$TMP/deep" 2>/dev/null
check "deep: 16 frames, stack_truncated, recurse frames kept" \
	[ "$(jcount "$TMP/deep" "e['event']=='thread_tainted' and e['stack_truncated'] and len(e['stack'])==16 and [f[0] for f in frames(e)].count('recurse')>=14")" -eq 1 ]

# A caller without frame pointers leaves the walk in data: the stack ends
# at the first address outside every mapping, and says how many it cut.
timeout 30 $NSTAINT trace --json -- sh -c "sleep 1 | $STACKPROG badfp" \
	>"$TMP/badfp" 2>/dev/null
check "badfp: stack cut before 0x4141414141414141, stack_unmapped 1" \
	[ "$(jcount "$TMP/badfp" "e['event']=='thread_tainted' and [f['addr'] for f in e['stack']]!=[] and '0x4141414141414141' not in [f['addr'] for f in e['stack']] and e['stack'][0].get('func')=='enter_netns_badfp' and e['stack_unmapped']==1")" -eq 1 ]

# trace_stopped MODE OUT COND: run `stackprog MODE` (quick or execd) under
# trace --json into OUT, with trace stopped (SIGSTOP) from the moment the
# program is told to go until COND (a function) holds; held=1 if it did
# while trace was stopped.  cpid is the program's pid.  NSTAINT_NO_HOLD=1:
# the program must run on at its taint (not wait for the stopped trace to
# attach its system call hook).
trace_stopped() {
	local mode=$1 out=$2 cond=$3 tp
	mkfifo "$TMP/$mode.in"
	NSTAINT_NO_HOLD=1 $NSTAINT trace --json -- $STACKPROG "$mode" \
		<"$TMP/$mode.in" >"$out" 2>&1 &
	tp=$!
	exec 9>"$TMP/$mode.in"
	for _ in $(seq 100); do grep -q waiting "$out" && break; sleep 0.1; done
	cpid=$(sed -n 's/^waiting pid=//p' "$out")
	kill -STOP $tp
	echo go >&9
	exec 9>&-
	for _ in $(seq 100); do $cond && break; sleep 0.1; done
	held=0
	$cond && held=1
	kill -CONT $tp
	wait $tp
}

# Exec'd before trace reads the record: /proc/PID/maps are the new
# program's, so the stack is shown raw and flagged, never symbolized
# against sleep's mappings.
is_sleep() { [ "$(cat "/proc/${cpid:-0}/comm" 2>/dev/null)" = sleep ]; }
trace_stopped execd "$TMP/execd" is_sleep
check "execd: the program exec'd sleep while trace was stopped" [ $held -eq 1 ]
check "execd: thread_tainted stack is raw and stack_stale" \
	[ "$(jcount "$TMP/execd" "e['event']=='thread_tainted' and e['stack_stale'] and len(e['stack'])>=1 and all(set(f)=={'addr'} for f in e['stack'])")" -eq 1 ]

# A record made after an exec is symbolized in the new program, never in
# the symbols cached for the one before.  Host-wide trace (no hold at
# exec): stackprog taints a thread, waits until trace has printed that
# record (so its image is cached), then execs itself (PIE and libc move)
# and taints a thread again from the same source line.  The second
# record's stack must name unshare and worker at that line (enter_netns,
# the frameless caller of unshare, is skipped by the walk).  (The
# race it guards, the exec notice read after the record, is closed by
# the order of each pass, source/bpf_ring.c; this run does not force it.)
mkfifo "$TMP/reexec.in"
$NSTAINT trace --json >"$TMP/reexec" 2>"$TMP/reexec.err" &
rtp=$!
at_exit "kill $rtp 2>/dev/null"
wait_attached "$TMP/reexec.err"
$STACKPROG reexec <"$TMP/reexec.in" >"$TMP/reexec.out" 2>&1 &
rpp=$!
exec 9>"$TMP/reexec.in"
wait_for "$TMP/reexec.out" '^waiting pid=' 300
rpid=$(sed -n 's/^waiting pid=//p' "$TMP/reexec.out")
wait_for "$TMP/reexec" "\"event\":\"thread_tainted\",\"time\":[0-9.]*,\"pid\":${rpid:-0}," 300
echo go >&9
wait_for "$TMP/reexec.out" '^ready' 300
for _ in $(seq 300); do
	[ "$(jcount_fixed "$TMP/reexec" '"event":"thread_tainted"' "\"pid\":${rpid:-0},")" -ge 2 ] && break
	sleep 0.1
done
exec 9>&-
wait $rpp
kill -INT $rtp
wait $rtp
rline=$(sed -n 's/^line=//p' "$TMP/reexec.out" | tail -n1)
grep "\"pid\":${rpid:-0}," "$TMP/reexec" | grep '"event":"thread_tainted"' | tail -n1 >"$TMP/reexec.last"
diag "reexec: pid ${rpid:-?} line ${rline:-?}: $(head -c 600 "$TMP/reexec.last")"
check "reexec: the record after the exec is symbolized in the new image" \
	[ "$(jcount "$TMP/reexec.last" "not e['stack_stale'] and not e['stack_raw'] and any(f.get('func')=='unshare' for f in e['stack']) and any(f.get('func')=='worker' and f.get('line')==${rline:-0} for f in e['stack'])")" -eq 1 ]

# Gone before trace reads the record: the program taints a thread and
# exits while trace is stopped (it stays a zombie: trace is its parent),
# so only raw addresses can be printed, never another process's symbols.
# The third field of /proc/PID/stat (after "(comm)") is the state.
is_zombie() { [ "$(sed 's/.*) \(.\).*/\1/' "/proc/${cpid:-0}/stat" 2>/dev/null)" = Z ]; }
trace_stopped quick "$TMP/gone" is_zombie
check "gone: the program exited while trace was stopped" [ $held -eq 1 ]
check "gone: thread_tainted stack has raw addresses only" \
	[ "$(jcount "$TMP/gone" "e['event']=='thread_tainted' and len(e['stack'])>=2 and all(set(f)=={'addr'} for f in e['stack'])")" -eq 1 ]
check "gone: the program ran to its end" grep -q '^line=' "$TMP/gone"

tap_done
