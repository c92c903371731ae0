#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# `nstaint trace` (BPF backend) against real programs: the seed's Go leak
# demo, the correct lock/setns/unlock pattern, os/exec from a tainted locked
# thread, a C pthreads program, a process that moves as a whole, exit
# statuses, and lost-record accounting.  Runs from any directory; paths
# come from the environment:
#   NSTAINT_BIN     nstaint binary      (default: <build>/nstaint)
#   NSTAINT_GO_DIR  built Go programs   (default: <build>/selftests/go)
#   NSTAINT_NSPROG  the C helper        (default: <build>/selftests/bpf/nsprog)
# where <build> is two directories above this script.
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$here/../.." && pwd)
top=$(cd "$build/.." && pwd)
BIN=${NSTAINT_BIN:-$build/nstaint}
GODIR=${NSTAINT_GO_DIR:-$build/selftests/go}
NSPROG=${NSTAINT_NSPROG:-$build/selftests/bpf/nsprog}
# shellcheck source=scripts/tap.sh
. "${NSTAINT_TAP:-$top/scripts/tap.sh}"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# q FILE EXPR: EXPR (Python) is true over E, the JSON records in FILE.
q() {
	python3 - "$1" "$2" <<'PY'
import json, sys
E = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
def ev(name, **kw):
    return [e for e in E if e["event"] == name and all(e.get(k) == v for k, v in kw.items())]
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
}

plan 18

# --- the seed's second demo (selftests/go/leak)
( sleep 2; echo ) | timeout 60 "$BIN" trace --json -- "$GODIR/leak" >"$tmp/leak.json" 2>"$tmp/leak.err"
rc=$?
grep -v '^{' "$tmp/leak.json" >"$tmp/leak.out"
tid=$(sed -n 's/^tainted tid=\([0-9]*\).*/\1/p' "$tmp/leak.out")
goid=$(sed -n 's/^tainted .*goid=\([0-9]*\).*/\1/p' "$tmp/leak.out")
diag "leak: tainted tid=$tid goid=$goid rc=$rc"
# The leader thread that unshared is reported tainted, owned by the
# goroutine that did it (the demo prints its goid).
check "leak: thread_tainted for the leader with the owner goroutine" \
	q "$tmp/leak.json" "any(e['tid'] == e['pid'] == $tid and e['owner_kind'] == 'go' and e['owner'] == $goid and e['differs'] == ['net'] for e in ev('thread_tainted'))"
# main (goroutine 1) keeps running there after UnlockOSThread: the bug.
check "leak: task_on_tainted_thread names main, unlocked" \
	q "$tmp/leak.json" "any(e['tid'] == $tid and e['task_kind'] == 'go' and e['task'] == 1 and not e['locked'] for e in ev('task_on_tainted_thread'))"
# While it was locked, the same goroutine on the same thread is legal.
check "leak: no report while the task was locked" \
	q "$tmp/leak.json" "ev('thread_tainted')[0]['locked'] and all(not e['locked'] for e in ev('task_on_tainted_thread'))"
# The tainting call's user stack, symbolized from the Go binary.
check "leak: tainting stack names syscall.Unshare and main.goroutineWithNs" \
	q "$tmp/leak.json" "any(any('syscall.Unshare' in f['sym'] for f in e['stack']) and any('main.goroutineWithNs' in f['sym'] for f in e['stack']) for e in ev('thread_tainted'))"
check "leak: trace exits with the command's status (0)" test "$rc" -eq 0

( sleep 2; echo ) | timeout 60 "$BIN" trace --fail-on-taint -- "$GODIR/leak" >"$tmp/leak2.out" 2>"$tmp/leak2.err"
rc=$?
diag "leak --fail-on-taint: rc=$rc"
check "leak: --fail-on-taint exits 66 and prints a summary" \
	sh -c "[ $rc -eq 66 ] && grep -q 'tasks\? on tainted threads' '$tmp/leak2.err'"

# --- the correct pattern: changes, but nothing runs on a tainted thread
timeout 60 "$BIN" trace --json --fail-on-taint -- "$GODIR/nscorrect" >"$tmp/ok.json" 2>"$tmp/ok.err"
rc=$?
check "correct: ns_change in and out, tainted then restored" \
	q "$tmp/ok.json" "len(ev('ns_change')) >= 2 and len(ev('thread_tainted')) == 1 and len(ev('thread_restored')) == 1"
check "correct: no task_on_tainted_thread" \
	q "$tmp/ok.json" "not ev('task_on_tainted_thread')"
check "correct: --fail-on-taint passes the command's status (0)" test "$rc" -eq 0

# --- os/exec from a locked, tainted thread
timeout 60 "$BIN" trace --json -- "$GODIR/nsexec" >"$tmp/exec.json" 2>"$tmp/exec.err"
etid=$(sed -n 's/^exec tid=\([0-9]*\).*/\1/p' "$tmp/exec.json")
cpid=$(sed -n 's/^child pid=\([0-9]*\).*/\1/p' "$tmp/exec.json")
diag "nsexec: tid=$etid child=$cpid"
cnet=$(sed -n 's/^child pid=.*net:\[\([0-9]*\)\]/\1/p' "$tmp/exec.json")
diag "nsexec: child netns=$cnet"
# The child runs in the tainted thread's netns, not the Go process's home.
check "exec: clone_from_tainted for the child process, in the new netns" \
	q "$tmp/exec.json" "any(e['pid'] == ${cpid:-0} and e['parent_tid'] == ${etid:-0} and e['new_process'] and e['ns']['net'] == ${cnet:-0} and e['ns_old']['net'] == ${cnet:-0} for e in ev('clone_from_tainted'))"

# --- C pthreads: thread and process cloned from a tainted thread
timeout 60 "$BIN" trace --json -- "$NSPROG" taint >"$tmp/c.json" 2>"$tmp/c.err"
ctid=$(sed -n 's/^tainter tid=\([0-9]*\).*/\1/p' "$tmp/c.json")
btid=$(sed -n 's/^thread tid=\([0-9]*\).*/\1/p' "$tmp/c.json")
kpid=$(sed -n 's/^child pid=\([0-9]*\).*/\1/p' "$tmp/c.json")
diag "nsprog taint: tainter=$ctid thread=$btid child=$kpid"
check "C: thread_tainted for the unsharing pthread" \
	q "$tmp/c.json" "any(e['tid'] == ${ctid:-0} and e['differs'] == ['net'] for e in ev('thread_tainted'))"
check "C: clone_from_tainted thread, tainted like its parent" \
	q "$tmp/c.json" "any(e['tid'] == ${btid:-0} and e['parent_tid'] == ${ctid:-0} and not e['new_process'] and e['differs'] == ['net'] for e in ev('clone_from_tainted'))"
check "C: clone_from_tainted process from fork()" \
	q "$tmp/c.json" "any(e['pid'] == ${kpid:-0} and e['parent_tid'] == ${ctid:-0} and e['new_process'] for e in ev('clone_from_tainted'))"
check "C: thread_restored after setns back" \
	q "$tmp/c.json" "any(e['tid'] == ${ctid:-0} for e in ev('thread_restored'))"

# --- the syscall-tracepoint fallback (kernels without BPF trampolines)
NSTAINT_NO_FENTRY=1 timeout 60 "$BIN" trace --json -- "$NSPROG" taint >"$tmp/f.json" 2>"$tmp/f.err"
ftid=$(sed -n 's/^tainter tid=\([0-9]*\).*/\1/p' "$tmp/f.json")
# Same records through the tracepoints, and the user is told.
if grep -q 'using syscall tracepoints' "$tmp/f.err" &&
   q "$tmp/f.json" "len([e for e in ev('thread_tainted') if e['tid'] == ${ftid:-0}]) == 1 and len([e for e in ev('thread_restored') if e['tid'] == ${ftid:-0}]) == 1"; then
	ok "fallback: syscall tracepoints see the same taint and restore"
else
	not_ok "fallback: syscall tracepoints see the same taint and restore"
fi

# --- a process that moved as a whole: only ns_change
timeout 60 "$BIN" trace --json -- "$NSPROG" whole >"$tmp/w.json" 2>"$tmp/w.err"
check "whole: ns_change with home moved, nothing else" \
	q "$tmp/w.json" "len(ev('ns_change')) == 1 and ev('ns_change')[0]['home_moved'] and set(ev('ns_change')[0]['changed']) == {'net', 'uts'} and len(E) == 1"

# --- exit statuses
timeout 60 "$BIN" trace --fail-on-taint -- sh -c 'exit 7' >/dev/null 2>&1
check "status: --fail-on-taint passes a clean command's own status (7)" test $? -eq 7

# --- lost records: a 4 KiB ring buffer and a storm of setns; every record
# is either delivered or counted as lost.
NSTAINT_RINGBUF_BYTES=4096 timeout 120 "$BIN" trace --json -- "$NSPROG" storm 4 3000 >"$tmp/s.json" 2>"$tmp/s.err"
want=$(sed -n 's/^storm records=\([0-9]*\)/\1/p' "$tmp/s.json")
diag "storm: $(grep -o '[0-9]* lost' "$tmp/s.err" || true) want=$want"
check "lost: delivered + lost == produced, and lost > 0" \
	q "$tmp/s.json" "sum(e['count'] for e in ev('lost')) > 0 and len(ev('ns_change')) + len(ev('thread_tainted')) + len(ev('thread_restored')) + sum(e['count'] for e in ev('lost')) == ${want:-0}"

tap_done
