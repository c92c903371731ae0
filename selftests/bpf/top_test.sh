#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# `nstaint top` in a real terminal (tmux, no color): a thread tainted before
# top started shows from the /proc snapshot; one tainted while it runs shows
# with its owner goroutine and the tasks seen on it; q quits.  Also the
# messages for a non-root user and the version-table fallback for a
# stripped Go binary.  Paths as in trace_test.sh (NSTAINT_BIN, NSTAINT_GO_DIR).
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$here/../.." && pwd)
top=$(cd "$build/.." && pwd)
BIN=${NSTAINT_BIN:-$build/nstaint}
GODIR=${NSTAINT_GO_DIR:-$build/selftests/go}
. "${NSTAINT_TAP:-$top/scripts/tap.sh}"

tmp=$(mktemp -d)
sess=nstaint-top-$$
cleanup() {
	exec 3>&- 4>&- 2>/dev/null
	tmux kill-session -t "$sess" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

plan 6

# A leak demo tainted before top starts (its binary also becomes known).
mkfifo "$tmp/in1" "$tmp/in2"
"$GODIR/leak" <"$tmp/in1" >"$tmp/l1" &
exec 3>"$tmp/in1"
for _ in $(seq 50); do grep -q ready "$tmp/l1" && break; sleep 0.1; done
tid1=$(sed -n 's/^tainted tid=\([0-9]*\).*/\1/p' "$tmp/l1")

tmux new-session -d -s "$sess" -x 160 -y 30 "TERM=dumb $BIN top -d 1; echo TOP-EXITED; sleep 30"
sleep 2
# A second one tainted while top runs.
"$GODIR/leak" <"$tmp/in2" >"$tmp/l2" &
exec 4>"$tmp/in2"
for _ in $(seq 50); do grep -q ready "$tmp/l2" && break; sleep 0.1; done
tid2=$(sed -n 's/^tainted tid=\([0-9]*\).*/\1/p' "$tmp/l2")
sleep 2.5
tmux capture-pane -p -t "$sess" >"$tmp/screen"
diag "tids $tid1 $tid2; screen:"
sed 's/^/#   /' "$tmp/screen" | grep -v '^#   $'

check "top: thread tainted before start shown from the snapshot" \
	grep -Eq "^${tid1:-x} +${tid1:-x} +leak +net:[0-9]+ +- +[0-9]+ +before start" "$tmp/screen"
check "top: thread tainted live shown with owner go:1 and main seen on it" \
	grep -Eq "^${tid2:-x} +${tid2:-x} +leak +net:[0-9]+ +go:1 +[1-9][0-9]* +[0-9]+s ago" "$tmp/screen"
# Piped (ssh without a tty, logs): plain rows, not one escape byte.
"$BIN" top -n 1 >"$tmp/plain" 2>&1
check "top: plain text without escapes when not on a terminal" \
	sh -c "grep -Eq '^${tid1:-x} +${tid1:-x} +leak' '$tmp/plain' && ! LC_ALL=C grep -q \"\$(printf '\\033')\" '$tmp/plain'"
tmux send-keys -t "$sess" q
sleep 1.5
tmux capture-pane -p -t "$sess" >"$tmp/screen2"
check "top: q quits" grep -q TOP-EXITED "$tmp/screen2"

# Not root: a clear message, status 2.
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN" trace --duration 1 2>&1)
rc=$?
check "trace as non-root: says it needs root, exits 2" \
	sh -c "[ $rc -eq 2 ] && echo '$out' | grep -q 'needs root'"

# Stripped Go binary: offsets from the version table, goroutines still named.
strip -o "$tmp/leak-stripped" "$GODIR/leak"
( sleep 2; echo ) | timeout 60 "$BIN" trace --fail-on-taint -- "$tmp/leak-stripped" >/dev/null 2>"$tmp/st.err"
check "stripped Go binary: version table still names main (exit 66)" test $? -eq 66

tap_done
