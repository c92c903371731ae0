#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Selftests of libmn task attribution in `nstaint trace` (BPF backend), on
# real libmn programs (selftests/bpf/mnleak.c): a task that unshares
# without mn_lock_thread and the tasks that run on its thread afterwards
# are named from the thread's slot (include/nstaint/mn_abi.h); the correct
# patterns (mn_lock_thread, mn_ns_do) name nobody; threads started before
# trace attached are found through the mn_nstaint_registry symbol.  Run
# from the top of the tree as root.
set -u
. selftests/lib/testlib.sh

MNLEAK=$O/selftests/bpf/mnleak
MNLEAK_SO=$O/selftests/bpf/mnleak-so

# field FILE WORD KEY: KEY=value from the program's line starting WORD.
field() {
	sed -n "s/^$2 .*\\b$3=\\([0-9]*\\).*/\\1/p" "$1" | head -1
}

plan 14

# Unlocked unshare: the bug.  A (the owner) taints its thread, B runs
# there; A restores and taints it again, B runs there again.
timeout 60 $NSTAINT trace --json -- $MNLEAK leak >"$TMP/leak" 2>"$TMP/leak.err"
rc=$?
grep '^{' "$TMP/leak" >"$TMP/leak.json"
a=$(field "$TMP/leak" tainted task)
tid=$(field "$TMP/leak" tainted tid)
b=$(field "$TMP/leak" b task)
btids=$(sed -n 's/^b .*tid=//p' "$TMP/leak" | sort -u | tr '\n' ' ')
diag "leak: rc=$rc owner task=${a:-?} tid=${tid:-?} b task=${b:-?} b tids=$btids"
check "leak: runs under trace, B ran on the tainted thread both times" \
	[ "$rc" -eq 0 -a -n "${tid:-}" -a "$btids" = "$tid " ]
check "leak: thread_tainted names the libmn owner task, unlocked" \
	[ "$(jcount "$TMP/leak.json" "e['event']=='thread_tainted' and e['tid']==${tid:-0} and e.get('owner_kind')=='libmn' and e.get('owner_id')==${a:-0} and not e['owner_locked']")" -eq 2 ]
check "leak: task_on_tainted_thread names B at a switch, once per taint" \
	[ "$(jcount "$TMP/leak.json" "e['event']=='task_on_tainted_thread' and e['cause']=='sched' and e['tid']==${tid:-0} and e['task_kind']=='libmn' and e['task_id']==${b:-0} and e['differs']==['uts']")" -eq 2 ]
check "leak: the owner itself is named when it blocks there unlocked" \
	[ "$(jcount "$TMP/leak.json" "e['event']=='task_on_tainted_thread' and e['tid']==${tid:-0} and e['task_id']==${a:-0}")" -ge 1 ]
check "leak: tainted, restored, tainted again: in that order" \
	[ "$(python3 -c "import json,sys; print(','.join(e['event'] for e in map(json.loads, open(sys.argv[1])) if e['tid']==int(sys.argv[2]) and e['event'] in ('thread_tainted','thread_restored')))" "$TMP/leak.json" "${tid:-0}")" = "thread_tainted,thread_restored,thread_tainted" ]
timeout 60 $NSTAINT trace --fail-on-taint -- $MNLEAK leak >/dev/null 2>&1
check "leak: --fail-on-taint exits 66" [ $? -eq 66 ]

# The correct patterns: locked while in the namespace, then mn_ns_do.
timeout 60 $NSTAINT trace --json -- $MNLEAK correct >"$TMP/ok" 2>"$TMP/ok.err"
rc=$?
grep '^{' "$TMP/ok" >"$TMP/ok.json"
a=$(field "$TMP/ok" locked task)
tid=$(field "$TMP/ok" locked tid)
nstid=$(field "$TMP/ok" ns_do tid)
diag "correct: rc=$rc locked task=${a:-?} tid=${tid:-?} ns_do tid=${nstid:-?}"
check "correct: locked owner named on its taint, the thread retired" \
	[ "$rc" -eq 0 -a "$(jcount "$TMP/ok.json" "(e['event']=='thread_tainted' and e['tid']==${tid:-0} and e.get('owner_id')==${a:-0} and e['owner_locked']) or (e['event']=='thread_exit' and e['tid']==${tid:-0})")" -eq 2 ]
check "correct: mn_ns_do's thread is tainted by a locked task and exits" \
	[ "$(jcount "$TMP/ok.json" "e['tid']==${nstid:-0} and ((e['event']=='thread_tainted' and e.get('owner_kind')=='libmn' and e['owner_locked']) or e['event']=='thread_exit')")" -eq 2 ]
check "correct: no task_on_tainted_thread" \
	[ "$(jcount "$TMP/ok.json" "e['event']=='task_on_tainted_thread'")" -eq 0 ]

# A thread cloned into a new uts namespace by a tainted thread inherits
# the taint's owner: its thread_tainted (cause clone) and its exit name
# the task that tainted the parent, not nobody.
timeout 60 $NSTAINT trace --json -- $MNLEAK clonens >"$TMP/cns" 2>"$TMP/cns.err"
rc=$?
grep '^{' "$TMP/cns" >"$TMP/cns.json"
a=$(field "$TMP/cns" clonens task)
tid=$(field "$TMP/cns" clonens tid)
child=$(field "$TMP/cns" clonens child)
diag "clonens: rc=$rc owner task=${a:-?} tid=${tid:-?} child=${child:-?}"
check "clonens: the parent's thread_tainted names the owner task" \
	[ "$rc" -eq 0 -a "$(jcount "$TMP/cns.json" "e['event']=='thread_tainted' and e['tid']==${tid:-0} and e.get('owner_kind')=='libmn' and e.get('owner_id')==${a:-0}")" -eq 1 ]
check "clonens: the child's thread_tainted and thread_exit name that owner" \
	[ "$(jcount "$TMP/cns.json" "e['tid']==${child:-0} and e['event'] in ('thread_tainted','thread_exit') and e.get('owner_kind')=='libmn' and e.get('owner_id')==${a:-0}")" -eq 2 ]

# Threads started before trace: only the registry can name their tasks.
# pre BIN NAME: run BIN pre, attach trace to it, then let it leak.
pre() {
	rm -f "$TMP/in"
	mkfifo "$TMP/in"
	$1 pre <"$TMP/in" >"$TMP/$2.out" 2>&1 &
	mpid=$!
	exec 9>"$TMP/in"
	for _ in $(seq 50); do grep -q ready "$TMP/$2.out" && break; sleep 0.1; done
	timeout 60 $NSTAINT trace --json -p $mpid >"$TMP/$2.json" 2>"$TMP/$2.err" 9>&- &
	tpid=$!
	wait_attached "$TMP/$2.err"
	echo go >&9
	exec 9>&-
	wait $mpid
	sleep 0.5
	kill -INT $tpid
	wait $tpid
	tid=$(field "$TMP/$2.out" tainted tid)
	b=$(field "$TMP/$2.out" b task)
	before=$(sed -n 's/^threads //p' "$TMP/$2.out")
	diag "$2: threads before attach: $before; tainted tid=${tid:-?} b task=${b:-?}"
}

pre $MNLEAK pre
check "pre: the tainted thread existed before trace attached" \
	grep -qw "${tid:-none}" <<<"$before"
check "pre: its tasks are named through the registry" \
	[ "$(jcount "$TMP/pre.json" "e['event']=='task_on_tainted_thread' and e['cause']=='sched' and e['tid']==${tid:-0} and e['task_kind']=='libmn' and e['task_id']==${b:-0}")" -eq 2 ]

# The same program on libmn.so: the registry is found (in the executable,
# by copy relocation, or in libmn.so) and the probe in libmn.so.
pre $MNLEAK_SO preso
check "libmn.so, started before trace: tasks named, probe attached" \
	[ "$(jcount "$TMP/preso.json" "e['event']=='task_on_tainted_thread' and e['cause']=='sched' and e['tid']==${tid:-0} and e['task_kind']=='libmn' and e['task_id']==${b:-0}")" -eq 2 -a \
	  "$(grep -c 'cannot' "$TMP/preso.err")" -eq 0 ]
tap_done
