#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The drain thread is outside the fair scheduler (docs/trace.md, The
# pipeline): under SCHED_AUTOGROUP or cgroup CPU weights a nice value
# ranks a thread only inside its own group, so a nice -20 drain thread
# waited tens of milliseconds behind other sessions' processes while the
# traced storm, on the other CPU, filled the ring.  With SCHED_FIFO no
# fair-class task delays it.  Oracle: the kernel's own answer,
# /proc/PID/task/TID/stat (rt_priority, policy).  Only the drain thread
# is real-time: decoding and printing keep the caller's class.  Run from
# the top of the tree as root.
set -u
. selftests/lib/testlib.sh

plan 3

mkfifo "$TMP/go"
# trace stays up until the traced shell reads a line.
$NSTAINT trace -- sh -c "read _ <$TMP/go" >/dev/null 2>"$TMP/err" &
tracer=$!
at_exit "kill $tracer 2>/dev/null"
wait_attached "$TMP/err"

# "TID COMM POLICY RT_PRIORITY" for each thread of trace.
threads() {
	for t in /proc/"$tracer"/task/*; do
		[ -r "$t/stat" ] || continue
		st=$(cat "$t/stat")
		rest=${st##*) }
		# shellcheck disable=SC2086 # split the fields after the comm
		set -- $rest
		shift 37	# field 40 (rt_priority) first
		echo "${t##*/} $(cat "$t/comm") $2 $1"
	done
}
threads >"$TMP/threads"
diag "$(tr '\n' ';' <"$TMP/threads")"
drain=$(awk '$2 == "nstaint-drain"' "$TMP/threads")
check "trace has one drain thread, named nstaint-drain" \
	[ "$(echo "$drain" | grep -c .)" -eq 1 ]
read -r _ _ policy prio <<<"$drain"
check "the drain thread runs SCHED_FIFO (policy 1, rt_priority >= 1)" \
	[ "${policy:-x}" = 1 -a "${prio:-0}" -ge 1 ]
check "every other thread of trace stays SCHED_OTHER" \
	[ "$(awk '$2 != "nstaint-drain" && $3 != 0' "$TMP/threads" | grep -c .)" -eq 0 -a \
	  "$(awk '$2 != "nstaint-drain"' "$TMP/threads" | grep -c .)" -ge 1 ]

echo >"$TMP/go"
wait "$tracer"
tap_done
