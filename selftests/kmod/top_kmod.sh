#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# `nstaint top --backend=kmod` in the 6.1 VM (busybox sh, from the top of
# the tree, as root, module at /nstaint.ko): the message without the
# module; in batch mode, a thread of the Go leak demo tainted while top
# runs shows with its netns, and goes once the demo exits.
set -u
. selftests/lib/testlib.sh

LEAK=$O/selftests/go/leak
at_exit 'rmmod nstaint 2>/dev/null'

plan 4

rmmod nstaint 2>/dev/null
$NSTAINT top --backend=kmod -b -n 1 >/dev/null 2>"$TMP/err"
rc=$?
[ $rc -eq 2 ] && grep -q "module is not loaded" "$TMP/err"
check "no module: exit 2, says it is not loaded" [ $? -eq 0 ]

insmod /nstaint.ko || { diag "insmod failed"; exit 1; }
# The demo reads stdin until it closes: sleep keeps it open for a while.
# top follows the shell (-p), which execs the demo once top has drawn.
mkfifo "$TMP/go"
sleep 12 | sh -c "read x <'$TMP/go'; exec '$LEAK'" >"$TMP/live" 2>&1 &
spid=$!
timeout 120 $NSTAINT top --backend=kmod -b -d 0.5 -n 400 -p $spid \
	>"$TMP/batch" 2>"$TMP/batch.err" &
tpid=$!
wait_for "$TMP/batch" '^PID' 300
echo go >"$TMP/go"
wait_for "$TMP/live" '^ready' 150
set -- $(sed -n 's/^tainted tid=\([0-9]*\) netns=\([0-9]*\).*/\1 \2/p' "$TMP/live")
tid=${1:-x} ino=${2:-x}
diag "live leak: pid=$spid tid=$tid netns=$ino"
row="^$spid +$tid +leak +net:$ino( |\$)"
wait_for "$TMP/batch" "$row" 100
check "batch: the tainted thread shows with its netns" grep -Eq "$row" "$TMP/batch"
wait $spid
frames=$(grep -c '^nstaint top - ' "$TMP/batch")
i=0
while [ $i -lt 100 ] &&
	[ "$(grep -c '^nstaint top - ' "$TMP/batch")" -lt $((frames + 3)) ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -TERM $tpid
wait $tpid
rc=$?
# Frames from the second after the exit on must not show the thread.
awk -v from=$((frames + 2)) -v pat="^$spid +$tid " '/^nstaint top - /{n++}
	n >= from && $0 ~ pat {bad=1} END{exit bad}' "$TMP/batch"
check "batch: the thread goes once the demo exits" [ $? -eq 0 ]
check "batch: SIGTERM ends top with status 0" [ $rc -eq 0 ]
grep -E -m1 -B2 "$row" "$TMP/batch" | sed 's/^/# /'
[ -s "$TMP/batch.err" ] && sed 's/^/# stderr: /' "$TMP/batch.err" | head -n 5
tap_done
