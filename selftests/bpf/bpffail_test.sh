#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The BPF backend's failures that the host can really cause, each made
# happen for real: the ring buffer consumer cannot be mapped (the address
# space limit of `ulimit -v` is smaller than a large ring), and the
# possible-CPU list cannot be read (a private mount over
# /sys/devices/system/cpu/possible).  Each must fail with exit status 2 and
# a message that says why, and must never leave a followed process stopped
# at exec (trace holds them with SIGSTOP until it has looked at them).
# Run from the top of the tree as root.
set -u
. selftests/lib/testlib.sh

PIDS=
cleanup() {
	# shellcheck disable=SC2086
	[ -n "$PIDS" ] && kill -KILL $PIDS 2>/dev/null
}
at_exit cleanup

plan 6

# state PID: the process state letter from /proc/PID/stat ("" if gone).
state() {
	sed -n 's/^[0-9]* (.*) \([A-Za-z]\) .*/\1/p' "/proc/$1/stat" 2>/dev/null
}

# A 64 MiB ring is mapped by the consumer as 128 MiB (data pages twice);
# nstaint needs about 27 MiB of address space otherwise.  Under a 96 MiB
# limit the BPF object loads, the consumer's mmap cannot fit.
RING_KB=65536
AS_KB=98304

# -- CMD: the command's exec would be held; nothing may stay stopped.
(ulimit -v $AS_KB; exec timeout 60 $NSTAINT trace --ringbuf-kb $RING_KB \
	-- /bin/true) >"$TMP/cmd.out" 2>"$TMP/cmd.err"
rc=$?
child=$(sed -n 's/^nstaint trace: attached, following pid //p' "$TMP/cmd.err")
st=$( [ -n "$child" ] && state "$child")
[ -n "$child" ] && PIDS="$PIDS $child"
diag "-- CMD: exit $rc, child ${child:-none}, its state '${st:-gone}'"
check "ring not mappable, -- CMD: exit 2, the error names the ring buffer" \
	[ $rc -eq 2 -a "$(grep -c 'ring buffer' "$TMP/cmd.err")" -ge 1 ]
check "ring not mappable, -- CMD: the command is not left stopped" \
	[ "${st:-gone}" != T ]

# -p PID: a process of ours that execs once trace is attached (or has
# failed): it must run to its end, not stay stopped at that exec.
mkfifo "$TMP/go"
sh -c "read _ <'$TMP/go'; exec sh -c 'echo ran >\"$TMP/ran\"'" &
target=$!
PIDS="$PIDS $target"
exec 9<>"$TMP/go"
(ulimit -v $AS_KB; exec timeout 60 $NSTAINT trace --ringbuf-kb $RING_KB \
	-p $target) >"$TMP/p.out" 2>"$TMP/p.err" 9>&- &
tpid=$!
# Attached (then the exec is seen and held) or already failed.
for _ in $(seq 600); do
	grep -q '^nstaint trace: attached' "$TMP/p.err" && break
	kill -0 $tpid 2>/dev/null || break
	sleep 0.1
done
echo go >&9
exec 9>&-
wait $tpid
rc=$?
# The target either ran (it was never held, or was resumed) or is held.
for _ in $(seq 100); do
	[ -e "$TMP/ran" ] && break
	[ "$(state $target)" = T ] && break
	sleep 0.1
done
st=$(state $target)
diag "-p: exit $rc, target state '${st:-gone}'"
check "ring not mappable, -p: exit 2, the error names the ring buffer" \
	[ $rc -eq 2 -a "$(grep -c 'ring buffer' "$TMP/p.err")" -ge 1 ]
check "ring not mappable, -p: the process ran its exec'd program" \
	[ -e "$TMP/ran" -a "${st:-gone}" != T ]

# The possible-CPU list sizes the per-CPU lost counters: unreadable, it
# is an error, never a negative array size.
printf 'garbage\n' >"$TMP/possible"
unshare -m --propagation private sh -c \
	"mount --bind '$TMP/possible' /sys/devices/system/cpu/possible &&
	 exec timeout 60 $NSTAINT trace -- /bin/true" \
	>"$TMP/cpu.out" 2>"$TMP/cpu.err"
rc=$?
child=$(sed -n 's/^nstaint trace: attached, following pid //p' "$TMP/cpu.err")
[ -n "$child" ] && PIDS="$PIDS $child"
diag "cpus: exit $rc"
sed 's/^/#   /' "$TMP/cpu.err" | head -n 3
check "possible CPUs unreadable: exit 2, the error says so" \
	[ $rc -eq 2 -a "$(grep -c 'possible CPUs' "$TMP/cpu.err")" -eq 1 ]
check "possible CPUs unreadable: nothing was attached" \
	[ -z "$child" ]
tap_done
