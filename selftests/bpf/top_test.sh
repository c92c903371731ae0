#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Selftests of `nstaint top` (BPF backend) on the Go leak demo: in batch
# mode a thread tainted while top runs shows with its netns, the owner
# goroutine and the goroutines seen on it, and disappears when it exits; a
# thread tainted before top started shows from the /proc snapshot; -p
# scopes the table; in a real terminal (tmux) it draws and q quits, and
# with TERM=dumb it writes no escape sequence; a libmn program's report
# ring counted in the header.  Plus usage errors and the
# not-root message.  Run from the top of the tree as root.
set -u
. selftests/lib/testlib.sh

LEAK=$O/selftests/go/leak
MNLEAK=$O/selftests/bpf/mnleak
MNREPORT=$O/selftests/mnring/mnreport-so
TMUX_SOCK=nstaint-top-$$		# a private tmux server
WRITERS=
cleanup() {
	# shellcheck disable=SC2086
	[ -n "$WRITERS" ] && kill $WRITERS 2>/dev/null	# demos exit on EOF
	tmux -L "$TMUX_SOCK" kill-server 2>/dev/null
	wait
}
at_exit cleanup

# absent_from FILE N ERE: true if no line matching ERE is in frame N or
# later of a batch output (frames start with "nstaint top - ").
absent_from() {
	awk -v from="$2" -v pat="$3" '/^nstaint top - /{n++}
		n >= from && $0 ~ pat {bad=1} END{exit bad}' "$1"
}

# fifo_held NAME: a fifo with a writer that keeps it open; sets WRITER.
# A leak demo reading it exits once the writer is killed (EOF).
fifo_held() {
	mkfifo "$TMP/$1"
	sleep 600 >"$TMP/$1" &
	WRITER=$!
	WRITERS="$WRITERS $WRITER"
}

# start_leak NAME: a leak demo, output in $TMP/NAME; sets LEAK_PID.
start_leak() {
	fifo_held "$1.in"
	$LEAK <"$TMP/$1.in" >"$TMP/$1" 2>&1 &
	LEAK_PID=$!
	wait_for "$TMP/$1" '^ready' 100
}

screen() { tmux -L "$TMUX_SOCK" capture-pane -p -t top >"$1"; }

plan 17

# --- arguments
rcs=
for args in "-n 0" "-d 0" "extra" "--bogus" "--backend=nope"; do
	# shellcheck disable=SC2086
	$NSTAINT top $args >/dev/null 2>&1
	rcs="$rcs $?"
done
diag "usage error statuses:$rcs"
check "usage errors exit 2" [ "$rcs" = " 2 2 2 2 2" ]
$NSTAINT top --help >"$TMP/help" 2>&1
rc=$?
good=0
[ $rc -eq 0 ] && grep -q -- '--batch' "$TMP/help" &&
	grep -q 'owner task' "$TMP/help" && good=1
check "--help exits 0 and explains batch mode and the columns" [ $good = 1 ]
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups $NSTAINT top -b -n 1 2>&1)
rc=$?
good=0
[ $rc -eq 2 ] && grep -q 'needs root' <<<"$out" && good=1
check "not root: says it needs root, exits 2" [ $good = 1 ]
sh -c 'exit 0' &
dead=$!
wait $dead
out=$($NSTAINT top -b -n 1 -p $dead 2>&1)
rc=$?
good=0
[ $rc -eq 2 ] && grep -q "no process $dead" <<<"$out" && good=1
check "-p of a process that is gone: says so, exits 2" [ $good = 1 ]

# --- batch mode, a thread tainted while top runs.  top follows a shell
# (-p) that execs the demo only once top has drawn: the exec is held until
# top knows the Go binary, so the owner goroutine is named.
mkfifo "$TMP/go"
fifo_held live.in
live_writer=$WRITER
sh -c "read x <'$TMP/go'; exec '$LEAK'" <"$TMP/live.in" >"$TMP/live" 2>&1 &
spid=$!
timeout 180 $NSTAINT top -b -d 0.5 -n 300 -p $spid >"$TMP/batch" \
	2>"$TMP/batch.err" &
tpid=$!
wait_for "$TMP/batch" '^PID' 300
echo go >"$TMP/go"
wait_for "$TMP/live" '^ready' 100
read -r tid ino goid < <(sed -n 's/^tainted tid=\([0-9]*\) netns=\([0-9]*\) goid=\([0-9]*\).*/\1 \2 \3/p' "$TMP/live")
diag "live leak: pid=$spid tid=${tid:-?} netns=${ino:-?} owner goroutine=${goid:-?}"
# After unlocking, main (goroutine 1) blocks in read(stdin) on that thread.
# CALLS (after SINCE) names write(): main prints "ready" on that thread.
row="^$spid +${tid:-x} +leak +net:${ino:-x} +go:${goid:-x} +[0-9]+s +[a-z0-9_,]*write[a-z0-9_,]*( \+[0-9]+)? +[1-9][0-9]* +go:([0-9]+,)*1(,| |$)"
wait_for "$TMP/batch" "$row" 100
check "batch: live-tainted thread with netns, owner goroutine, goroutine 1 seen" \
	grep -Eq "$row" "$TMP/batch"
kill $live_writer		# EOF: the demo exits
wait $spid
frames=$(grep -c '^nstaint top - ' "$TMP/batch")
for _ in $(seq 100); do
	[ "$(grep -c '^nstaint top - ' "$TMP/batch")" -ge $((frames + 3)) ] && break
	sleep 0.1
done
kill -TERM $tpid
wait $tpid
rc=$?
diag "frames before the exit: $frames, after: $(($(grep -c '^nstaint top - ' "$TMP/batch") - frames))"
# The frame being drawn when the demo exited may still show it; the ones
# after it must not, and the row must have gone by its exit record.
check "batch: the thread disappears once it exits" \
	absent_from "$TMP/batch" $((frames + 2)) "^$spid +${tid:-x} "
check "batch: removed by its thread_exit record, not by the /proc check" \
	sh -c "tail -n 8 '$TMP/batch' | grep -q 'exit 1,.*gone unreported 0'"
check "batch: SIGTERM ends top with status 0" [ $rc -eq 0 ]
check "batch: plain text, not one escape byte" \
	sh -c "! LC_ALL=C grep -q \"\$(printf '\\033')\" '$TMP/batch'"

# --- a libmn program (mnleak hold): task A unshares uts unlocked, task B
# runs on the thread; the row names A as owner, marked not locked ('!'),
# and B as a task seen there.  Started the same way as the Go demo.
mkfifo "$TMP/mngo"
fifo_held mn.in
mn_writer=$WRITER
sh -c "read x <'$TMP/mngo'; exec '$MNLEAK' hold" <"$TMP/mn.in" >"$TMP/mn" 2>&1 &
mpid=$!
timeout 120 $NSTAINT top -b -d 0.5 -n 200 -p $mpid >"$TMP/mntop" 2>&1 &
tpid=$!
wait_for "$TMP/mntop" '^PID' 300
echo go >"$TMP/mngo"
wait_for "$TMP/mn" '^ready' 100
mtid=$(sed -n 's/^retainted task=[0-9]* tid=//p' "$TMP/mn")
ma=$(sed -n 's/^retainted task=\([0-9]*\).*/\1/p' "$TMP/mn")
mb=$(sed -n 's/^b task=\([0-9]*\).*/\1/p' "$TMP/mn" | head -1)
diag "mnleak: pid=$mpid tid=${mtid:-?} owner task=${ma:-?} b task=${mb:-?}"
row="^$mpid +${mtid:-x} +mnleak +uts:[0-9]+ +mn:${ma:-x}! +[0-9]+s +[a-z0-9_,]*write[a-z0-9_,]*( \+[0-9]+)? +[1-9][0-9]* +mn:([0-9]+,)*${mb:-x}(,| |$)"
wait_for "$TMP/mntop" "$row" 100
check "libmn: owner task named, marked unlocked, task B seen on the thread" \
	grep -Eq "$row" "$TMP/mntop"
kill $mn_writer
wait $mpid
kill -TERM $tpid
wait $tpid

# --- report rings: a libmn program on libmn.so (mnreport-so race) makes
# two data_race reports while top follows it; top's third header line
# counts them, as many as the program says it made, its one ring read
# and nothing lost.  It execs once top has drawn (the exec is held until
# top has attached libmn:ring_ready in its libmn.so) and lingers at exit
# until top has read its ring.
mkfifo "$TMP/rgo"
MN_RING_LINGER_MS=20000 sh -c "read x <'$TMP/rgo'; exec '$MNREPORT' race" \
	>"$TMP/rep" 2>&1 </dev/null &
rpid=$!
timeout 120 $NSTAINT top -b -d 0.3 -n 400 -p $rpid >"$TMP/reptop" 2>&1 &
tpid=$!
wait_for "$TMP/reptop" '^PID' 300
echo go >"$TMP/rgo"
wait $rpid
rrc=$?
made=$(grep -c '^race_' "$TMP/rep")
wait_for "$TMP/reptop" "^reports: ${made:-x} data_race" 100
kill -TERM $tpid
wait $tpid
diag "mnreport race: status $rrc, $made reports made; top: $(grep '^reports: ' "$TMP/reptop" | tail -1)"
check "reports: top counts the program's $made data races, 1 ring read, none lost" \
	grep -q "^reports: $made data_race, 0 runtime_error, 0 task_leak, 0 ctx_leak, 0 thread_retired; report rings: 1 read, 0 records lost by writers, 0 invalid, 0 broken, 0 not opened$" "$TMP/reptop"

# --- the /proc snapshot: two demos tainted before top starts.
start_leak a
apid=$LEAK_PID
start_leak b
bpid=$LEAK_PID
read -r atid aino < <(sed -n 's/^tainted tid=\([0-9]*\) netns=\([0-9]*\).*/\1 \2/p' "$TMP/a")
diag "before start: a pid=$apid tid=${atid:-?} netns=${aino:-?}; b pid=$bpid"
timeout 60 $NSTAINT top -b -n 1 -p "$apid" >"$TMP/snap" 2>&1
check "snapshot: a thread tainted before start shows, SINCE '>Ns'" \
	grep -Eq "^$apid +${atid:-x} +leak +net:${aino:-x} +- +>[0-9]+s " "$TMP/snap"
check "-p: the other process is not shown" \
	sh -c "! grep -Eq '^$bpid ' '$TMP/snap'"

# --- interactive, in a terminal: draws, q quits with status 0.
tmux -L "$TMUX_SOCK" new-session -d -s top -x 160 -y 30 \
	"$NSTAINT top -d 0.5; echo TOP-EXIT=\$?; sleep 600"
for _ in $(seq 300); do
	screen "$TMP/screen"
	grep -Eq "^$apid +${atid:-x} +leak" "$TMP/screen" && break
	sleep 0.1
done
diag "screen:"
sed -e '/^$/d' -e 's/^/#   /' "$TMP/screen" | head -n 12
check "tmux: draws the table with the thread tainted before start" \
	grep -Eq "^$apid +${atid:-x} +leak +net:${aino:-x} " "$TMP/screen"
tmux -L "$TMUX_SOCK" send-keys -t top q
for _ in $(seq 100); do
	screen "$TMP/screen"
	grep -q 'TOP-EXIT=' "$TMP/screen" && break
	sleep 0.1
done
check "tmux: q quits with status 0" grep -q 'TOP-EXIT=0' "$TMP/screen"

# A small terminal, 60x7: lines cut at its width (the records line is
# longer), the three rows of one process tree do not fit: one is drawn,
# the others counted.
fifo_held fam.in
# (sh gives an asynchronous command /dev/null as stdin: pass fd 3.)
sh -c "exec 3<&0; for i in 1 2 3; do '$LEAK' <&3 & done; wait" <"$TMP/fam.in" \
	>"$TMP/fam" 2>&1 &
fam=$!
for _ in $(seq 100); do
	[ "$(grep -c '^ready' "$TMP/fam")" -eq 3 ] && break
	sleep 0.1
done
tmux -L "$TMUX_SOCK" new-session -d -s small -x 60 -y 7 \
	"$NSTAINT top -d 0.5 -p $fam; echo TOP-EXIT=\$?; sleep 600"
for _ in $(seq 300); do
	tmux -L "$TMUX_SOCK" capture-pane -p -t small >"$TMP/small"
	grep -q '^\.\.\. 2 more' "$TMP/small" && break
	sleep 0.1
done
diag "60x7 screen:"
sed -e 's/^/#   |/' "$TMP/small"
check "small terminal: lines cut at 60 columns, 1 row drawn, '... 2 more'" \
	python3 - "$TMP/small" <<'PY'
import re, sys
l = open(sys.argv[1]).read().split('\n')
sys.exit(not (l[0].startswith('nstaint top - ') and
              l[1].startswith('records: ') and len(l[1]) == 60 and
              l[2] == '' and l[3].startswith('PID ') and
              re.match(r'[0-9]+ +[0-9]+ +leak ', l[4]) and
              l[5] == '... 2 more'))
PY
tmux -L "$TMUX_SOCK" send-keys -t small q

# TERM=dumb on a terminal: frames one after another, no escape sequence
# (the pane's raw output is piped to a file).
tmux -L "$TMUX_SOCK" new-session -d -s dumb -x 160 -y 30 \
	"read x; TERM=dumb $NSTAINT top -d 0.3; echo TOP-EXIT=\$?; sleep 600"
tmux -L "$TMUX_SOCK" pipe-pane -o -t dumb "cat >'$TMP/raw'"
tmux -L "$TMUX_SOCK" send-keys -t dumb Enter
wait_for "$TMP/raw" "^$apid +${atid:-x} +leak" 300
sleep 1
tmux -L "$TMUX_SOCK" send-keys -t dumb q
wait_for "$TMP/raw" 'TOP-EXIT=' 100
diag "TERM=dumb: $(grep -c 'nstaint top - ' "$TMP/raw") frames, $(LC_ALL=C grep -c "$(printf '\033')" "$TMP/raw") lines with ESC"
check "TERM=dumb: several frames, q quits with 0, no escape byte" \
	sh -c "[ \$(grep -c 'nstaint top - ' '$TMP/raw') -ge 2 ] && grep -q 'TOP-EXIT=0' '$TMP/raw' && ! LC_ALL=C grep -q \"\$(printf '\\033')\" '$TMP/raw'"

tap_done
