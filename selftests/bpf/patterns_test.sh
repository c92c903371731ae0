#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Selftests of `nstaint trace` (BPF backend) on the legal patterns of real
# programs: Go's correct pattern (lock, setns in, work, setns back, unlock,
# with other goroutines running) must give namespace changes but no task on
# a tainted thread; os/exec from a locked thread in another netns (Go) and
# fork + exec from a pthread in another netns (C) must report the child as
# cloned from a tainted thread without calling the child itself tainted.
# The leak demo, fork and thread clones are in trace_test.sh.  Run from the
# top of the tree as root.
set -u
. selftests/lib/testlib.sh

NSFLIP=$O/selftests/bpf/nsflip
GODIR=$O/selftests/go

plan 9

# --- Go, the correct pattern, ROUNDS times on fresh goroutines.
timeout 120 $NSTAINT trace --json --fail-on-taint -- "$GODIR/nscorrect" \
	>"$TMP/ok" 2>"$TMP/ok.err"
rc=$?
target=$(sed -n 's/^target netns=//p' "$TMP/ok")
rounds=$(sed -n 's/^done rounds=//p' "$TMP/ok")
diag "nscorrect: rc=$rc target netns=${target:-?} rounds=${rounds:-?}"
check "correct: runs to the end, --fail-on-taint exits 0" \
	[ "$rc" -eq 0 -a -n "${rounds:-}" -a -n "${target:-}" ]
# Each round printed its thread and goroutine: that thread was tainted by
# that (locked) goroutine, into the target netns.
named=0
while read -r tid goid; do
	n=$(jcount "$TMP/ok" "e['event']=='thread_tainted' and e['tid']==$tid and e.get('owner_id')==$goid and e['ns']['net']==${target:-0} and e['differs']==['net']")
	[ "$n" -ge 1 ] && named=$((named + 1))
done < <(sed -n 's/^correct tid=\([0-9]*\) goid=\([0-9]*\).*/\1 \2/p' "$TMP/ok")
diag "correct: rounds whose thread_tainted names the locked goroutine: $named"
check "correct: every round's thread_tainted names its locked goroutine" \
	[ "$named" -eq "${rounds:-x}" ]
# Every taint (the rounds and the one that made the target) was undone by
# a setns back: as many restored as tainted, two ns_change for each.
tainted=$(jcount "$TMP/ok" "e['event']=='thread_tainted'")
restored=$(jcount "$TMP/ok" "e['event']=='thread_restored'")
changes=$(jcount "$TMP/ok" "e['event']=='ns_change'")
diag "correct: tainted=$tainted restored=$restored ns_change=$changes"
check "correct: each taint restored, two ns_change per taint" \
	[ "$tainted" -eq $((${rounds:-0} + 1)) -a "$restored" -eq "$tainted" \
	  -a "$changes" -eq $((2 * tainted)) ]
check "correct: no task_on_tainted_thread" \
	[ "$(jcount "$TMP/ok" "e['event']=='task_on_tainted_thread'")" -eq 0 ]

# --- Go, os/exec from the locked thread while it is in a new netns.
timeout 60 $NSTAINT trace --json -- "$GODIR/nsexec" >"$TMP/goexec" \
	2>"$TMP/goexec.err"
rc=$?
etid=$(sed -n 's/^exec tid=//p' "$TMP/goexec")
read -r cpid cnet < <(sed -n 's/^child pid=\([0-9]*\) netns=net:\[\([0-9]*\)\]/\1 \2/p' "$TMP/goexec")
diag "nsexec: rc=$rc tid=${etid:-?} child=${cpid:-?} child netns=${cnet:-?}"
check "os/exec: clone_from_tainted for the child process, in the thread's netns" \
	[ "$rc" -eq 0 -a "$(jcount "$TMP/goexec" "e['event']=='clone_from_tainted' and e['pid']==${cpid:-0} and e['parent_tid']==${etid:-0} and e['new_process'] and e['ns']['net']==${cnet:-0} and e['differs']==['net']")" -eq 1 ]
# The child exec'd: that set is its home, it is not a tainted thread.  The
# locked thread went home before unlocking.
check "os/exec: the child is never tainted, the thread is restored" \
	[ "$(jcount "$TMP/goexec" "e['event']=='thread_tainted' and e['pid']==${cpid:-0}")" -eq 0 \
	  -a "$(jcount "$TMP/goexec" "e['event']=='thread_restored' and e['tid']==${etid:-0}")" -eq 1 ]

# --- C, the same with a pthread: unshare, fork + exec readlink, setns back.
timeout 30 $NSTAINT trace --json -- "$NSFLIP" exec >"$TMP/cexec" 2>/dev/null
rc=$?
etid=$(sed -n 's/^exec tid=//p' "$TMP/cexec")
cpid=$(sed -n 's/^exec child pid=//p' "$TMP/cexec")
cnet=$(sed -n 's/^net:\[\([0-9]*\)\]$/\1/p' "$TMP/cexec")
diag "nsflip exec: rc=$rc tid=${etid:-?} child=${cpid:-?} child netns=${cnet:-?}"
check "C exec: clone_from_tainted for the child process, in the thread's netns" \
	[ "$rc" -eq 0 -a "$(jcount "$TMP/cexec" "e['event']=='clone_from_tainted' and e['pid']==${cpid:-0} and e['parent_tid']==${etid:-0} and e['new_process'] and e['ns']['net']==${cnet:-0}")" -eq 1 ]
check "C exec: the child is never tainted" \
	[ "$(jcount "$TMP/cexec" "e['event']=='thread_tainted' and e['pid']==${cpid:-0}")" -eq 0 ]
check "C exec: the pthread is tainted, then restored, in that order" \
	[ "$(python3 -c "import json,sys; print(','.join(e['event'] for e in map(json.loads, filter(lambda l: l.startswith('{'), open(sys.argv[1]))) if e['tid']==int(sys.argv[2]) and e['event'] in ('thread_tainted','thread_restored')))" "$TMP/cexec" "${etid:-0}")" = "thread_tainted,thread_restored" ]

tap_done
