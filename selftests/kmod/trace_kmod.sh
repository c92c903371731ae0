#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# `nstaint trace --backend=kmod` on real programs, in the 6.1 VM (busybox
# sh, run from the top of the tree as root, module at /nstaint.ko): the
# messages without the module and without root, the records of C threads
# moving and coming back, cloning from a tainted thread, a tainted thread
# exec'ing, cloning into new namespaces, a process moving whole, the Go
# leak demo, following only the traced command's tree, exit statuses, and
# a storm through a tiny ring with nothing lost silently.
set -u
. selftests/lib/testlib.sh

NSFLIP=$O/selftests/bpf/nsflip
LEAK=$O/selftests/go/leak
at_exit 'rmmod nstaint 2>/dev/null'

# trace_json NAME CMD...: run CMD under trace --backend=kmod --json; its
# own output in $TMP/NAME.out, the records in $TMP/NAME.json, status in rc.
trace_json() {
	n=$1
	shift
	timeout 60 $NSTAINT trace --backend=kmod --json -- "$@" \
		>"$TMP/$n" 2>"$TMP/$n.err"
	rc=$?
	grep -v '^{' "$TMP/$n" >"$TMP/$n.out"
	grep '^{' "$TMP/$n" >"$TMP/$n.json"
}

plan 20

rmmod nstaint 2>/dev/null
$NSTAINT trace --backend=kmod -- /bin/true >/dev/null 2>"$TMP/err"
rc=$?
[ $rc -eq 2 ] && grep -q "module is not loaded: modprobe nstaint" "$TMP/err"
check "no module: exit 2, says it is not loaded and how to load it" [ $? -eq 0 ]

insmod /nstaint.ko || { diag "insmod failed"; exit 1; }
# The guest is a throwaway initramfs: give it a nobody who can reach us.
chmod 755 /
mkdir -p /etc
grep -q '^nobody:' /etc/passwd 2>/dev/null ||
	echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >>/etc/passwd
su -s /bin/sh nobody -c "$NSTAINT trace --backend=kmod -- /bin/true" \
	>/dev/null 2>"$TMP/err"
rc=$?
[ $rc -eq 2 ] && grep -q "needs root" "$TMP/err"
check "not root: exit 2, says the kmod backend needs root" [ $? -eq 0 ]

# C thread: unshare net then setns back.  Two ns_change (cause unshare,
# then setns), thread_tainted then thread_restored, nothing else.
trace_json thr $NSFLIP thread
tid=$(sed -n 's/^thread tid=//p' "$TMP/thr.out")
diag "thread: rc=$rc tid=${tid:-?}"
check "thread: exits 0 and prints its tid" [ $rc -eq 0 -a -n "${tid:-}" ]
check "thread: ns_change cause unshare, net changed, then cause setns" \
	[ "$(jcount_fixed "$TMP/thr.json" '"event":"ns_change"' "\"tid\":${tid:-0}," '"cause":"unshare"' '"changed":["net"]')" -eq 1 -a \
	  "$(jcount_fixed "$TMP/thr.json" '"event":"ns_change"' "\"tid\":${tid:-0}," '"cause":"setns"' '"differs":[]')" -eq 1 ]
check "thread: tainted then restored, in that order, no residue" \
	[ "$(grep -v '"event":"ns_change"' "$TMP/thr.json" | sed 's/^{"event":"\([a-z_]*\)".*/\1/' | tr '\n' ,)" = "thread_tainted,thread_restored," ]
ino=$(sed -n 's/.*"event":"thread_tainted".*"ns":{[^}]*"net":\([0-9]*\).*"home":{[^}]*"net":\([0-9]*\).*/\1 \2/p' "$TMP/thr.json")
diag "thread: tainted netns and home netns: ${ino:-?}"
[ -n "$ino" ] && [ "${ino% *}" != "${ino#* }" ]
check "thread: thread_tainted has a new netns other than home" [ $? -eq 0 ]

# Same run in text form: one line per record, the fields of the BPF one.
timeout 60 $NSTAINT trace --backend=kmod -- $NSFLIP thread >"$TMP/text" 2>/dev/null
tid=$(sed -n 's/^thread tid=//p' "$TMP/text")
check "text: thread_tainted line with pid, tid, comm, cause, net:X(home Y)" \
	grep -qE "^thread_tainted +pid=[0-9]+ tid=${tid:-x} comm=nsflip cause=unshare net:[0-9]+\(home [0-9]+\)$" "$TMP/text"

# A tainted thread forks and creates a thread: both clone_from_tainted,
# the process flagged new_process, both differing from home in net.
trace_json clone $NSFLIP clone
tid=$(sed -n 's/^clone tid=//p' "$TMP/clone.out")
check "clone: the fork is a clone_from_tainted new process" \
	[ "$(jcount_fixed "$TMP/clone.json" '"event":"clone_from_tainted"' "\"parent_tid\":${tid:-0}," '"new_process":true' '"differs":["net"]')" -eq 1 ]
check "clone: the thread is a clone_from_tainted thread" \
	[ "$(jcount_fixed "$TMP/clone.json" '"event":"clone_from_tainted"' "\"parent_tid\":${tid:-0}," '"new_process":false' '"differs":["net"]')" -eq 1 ]

# A tainted non-leader thread that execs is restored by the exec, under
# the tid it was tainted with; nothing exits tainted.
trace_json exec $NSFLIP execself thread
tid=$(sed -n 's/^execself pid=[0-9]* tid=//p' "$TMP/exec.out")
check "execself: thread_restored cause exec for the tainted tid, last" \
	[ "$(jcount_fixed "$TMP/exec.json" '"event":"thread_restored"' "\"tid\":${tid:-0}," '"cause":"exec"' '"differs":[]')" -eq 1 -a \
	  "$(sed 's/^{"event":"\([a-z_]*\)".*/\1/' "$TMP/exec.json" | tr '\n' ,)" = "ns_change,thread_tainted,thread_restored," ]

# clone(2) with CLONE_NEW*: the same records as the BPF backend gives
# (trace_test): the process moved whole, the thread tainted from birth.
trace_json cns $NSFLIP clonens
cpid=$(sed -n 's/^clonens process=//p' "$TMP/cns.out")
ctid=$(sed -n 's/^clonens thread=//p' "$TMP/cns.out")
check "clonens: new process in new user+uts ns is an ns_change, home moved" \
	[ "$(jcount_fixed "$TMP/cns.json" '"event":"ns_change"' "\"pid\":${cpid:-0}," '"cause":"clone"' '"changed":["uts","user"]' '"home_moved":true' '"new_process":true')" -eq 1 ]
check "clonens: new thread: ns_change, thread_tainted, thread_exit; no more" \
	[ "$(jcount_fixed "$TMP/cns.json" "\"tid\":${ctid:-0}," '"cause":"clone"' '"changed":["uts"]')" -eq 2 -a \
	  "$(jcount_fixed "$TMP/cns.json" '"event":"thread_exit"' "\"tid\":${ctid:-0}," '"differs":["uts"]')" -eq 1 -a \
	  "$(wc -l <"$TMP/cns.json")" -eq 4 ]

# A single-threaded process that unshares moved whole.
trace_json whole $NSFLIP whole
check "whole: one record, ns_change, home moved, nothing differs" \
	[ "$(jcount_fixed "$TMP/whole.json" '"event":"ns_change"' '"home_moved":true' '"differs":[]')" -eq 1 -a \
	  "$(wc -l <"$TMP/whole.json")" -eq 1 ]

# The Go leak demo: the thread it prints is tainted with the new netns.
trace_json leak sh -c "sleep 2 | $LEAK"
set -- $(sed -n 's/^tainted tid=\([0-9]*\) netns=\([0-9]*\).*/\1 \2/p' "$TMP/leak.out")
tid=${1:-0} ino=${2:-0}
diag "leak: rc=$rc tid=$tid netns=$ino"
check "leak: thread_tainted for the printed tid with the new netns" \
	[ "$(jcount_fixed "$TMP/leak.json" '"event":"thread_tainted"' "\"tid\":$tid," "\"ns\":{\"mnt\":" "\"net\":$ino," '"differs":["net"]')" -eq 1 ]
check "leak: ns_change cause unshare for that tid" \
	[ "$(jcount_fixed "$TMP/leak.json" '"event":"ns_change"' "\"tid\":$tid," '"cause":"unshare"' '"changed":["net"]')" -eq 1 ]

# Only the traced tree is reported while another process moves too.
( while [ ! -e "$TMP/stop" ]; do $NSFLIP thread >/dev/null; done ) &
noise=$!
sleep 0.5
trace_json follow $NSFLIP clone
touch "$TMP/stop"
wait $noise
pid=$(sed -n 's/.*"event":"ns_change","time":[0-9.]*,"pid":\([0-9]*\),.*/\1/p' "$TMP/follow.json" | head -n1)
diag "follow: command pid ${pid:-?}, $(wc -l <"$TMP/follow.json") records"
[ -n "$pid" ] && [ "$(grep -c "\"ns_change\".*\"pid\":$pid," "$TMP/follow.json")" -eq 1 ] &&
	[ "$(grep '"event":"ns_change"' "$TMP/follow.json" | grep -vc "\"pid\":$pid,")" -eq 0 ]
check "follow: records of the traced tree only (not of the other mover)" [ $? -eq 0 ]

timeout 30 $NSTAINT trace --backend=kmod -- sh -c 'exit 3' >/dev/null 2>&1
check "trace --backend=kmod -- sh -c 'exit 3' exits 3" [ $? -eq 3 ]
timeout 30 $NSTAINT trace --backend=kmod --fail-on-taint -- $NSFLIP thread >/dev/null 2>&1
check "--fail-on-taint without a user task on a tainted thread exits 0" [ $? -eq 0 ]

# Storm through a 16-record ring: 8 threads each unshare uts 400 times;
# each change is an ns_change, each thread is tainted once and exits
# tainted.  Records delivered plus the lost counts equal that sum.
rmmod nstaint && insmod /nstaint.ko bufsize=16
trace_json storm $NSFLIP storm 8 400
changes=$(sed -n 's/^storm threads=8 changes=//p' "$TMP/storm.out")
delivered=$(grep -vc '"event":"lost"' "$TMP/storm.json")
lost=$(sed -n 's/^{"event":"lost",.*"count":\([0-9]*\)[,}].*/\1/p' "$TMP/storm.json" | awk '{ s += $1 } END { print s + 0 }')
diag "storm: changes=${changes:-?} delivered=$delivered lost=$lost dropped=$(cat /sys/module/nstaint/parameters/dropped)"
check "storm: records were dropped and reported as lost" [ "$lost" -gt 0 ]
check "storm: delivered + lost == changes + 8 tainted + 8 exits" \
	[ $((delivered + lost)) -eq $((${changes:-0} + 16)) ]
rmmod nstaint
tap_done
