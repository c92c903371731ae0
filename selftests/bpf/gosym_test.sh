#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Selftests of Go goroutine attribution across the ways a Go binary can be
# built: runtime.g offsets from DWARF (a version the table does not know),
# from the version table (stripped), neither (a clear message, no wrong
# ids), and cgo binaries, whose g lives in the PT_TLS block, not at
# fsbase-8.  Every program is the leak demo (selftests/go/leak/main.go):
# it prints the tainted tid and the goroutine that tainted it, and main
# (goroutine 1) then runs unlocked on that thread.
# Run from the top of the tree as root.
set -u
. selftests/lib/testlib.sh

GODIR=$O/selftests/go
STACKPROG=$O/selftests/bpf/stackprog

# A copy of Go binary $1 claiming to be built by go1.99 (same length, so
# .go.buildinfo stays valid): a version nstaint's table does not have.
unknown_version() {
	python3 - "$1" "$2" <<'PY'
import sys
data = open(sys.argv[1], 'rb').read()
assert b'go1.19' in data
open(sys.argv[2], 'wb').write(data.replace(b'go1.19', b'go1.99'))
PY
	chmod 755 "$2"
}

# run NAME BINARY: trace the demo; NAME.json, NAME.err, tid and goid.
run() {
	timeout 60 $NSTAINT trace --json -- sh -c "sleep 1 | $2" \
		>"$TMP/$1.out" 2>"$TMP/$1.err"
	rc=$?
	read -r tid goid < <(sed -n 's/^tainted tid=\([0-9]*\) netns=[0-9]* goid=\([0-9]*\).*/\1 \2/p' "$TMP/$1.out")
	diag "$1: rc=$rc tid=${tid:-?} goid=${goid:-?}"
}

# named NAME: owner and goroutine 1 both named on the tainted thread.
named() {
	[ "$rc" -eq 0 ] &&
	[ "$(jcount "$TMP/$1.out" "e['event']=='thread_tainted' and e['tid']==${tid:-0} and e.get('owner_id')==${goid:-0}")" -eq 1 ] &&
	[ "$(jcount "$TMP/$1.out" "e['event']=='task_on_tainted_thread' and e['cause']=='sched' and e['tid']==${tid:-0} and e['task_id']==1")" -eq 1 ]
}

# unnamed NAME: tainted, but no goroutine id anywhere (none is better
# than a wrong one).
unnamed() {
	[ "$rc" -eq 0 ] &&
	[ "$(jcount "$TMP/$1.out" "e['event']=='thread_tainted' and e['tid']==${tid:-0}")" -eq 1 ] &&
	[ "$(jcount "$TMP/$1.out" "'owner_id' in e or 'task_id' in e")" -eq 0 ]
}

plan 14

unknown_version $GODIR/leak "$TMP/leak-go199"
run dwarf "$TMP/leak-go199"
check "DWARF: go1.99 with DWARF: owner and goroutine 1 named" named dwarf
check "DWARF: no message for it" [ "$(grep -c 'will not be named' "$TMP/dwarf.err")" -eq 0 ]

run table $GODIR/leak-stripped
check "table: stripped go1.19: owner and goroutine 1 named" named table
# No .symtab left: function names come from .gopclntab (no file:line).
check "stripped: stack functions named from .gopclntab" \
	[ "$(jcount "$TMP/table.out" "e['event']=='thread_tainted' and [f[0] for f in frames(e) if f[0] in ('syscall.Unshare','main.goroutineWithNs','main.main')]==['syscall.Unshare','main.goroutineWithNs','main.main']")" -eq 1 ]

unknown_version $GODIR/leak-stripped "$TMP/stripped-go199"
run unknown "$TMP/stripped-go199"
check "unknown: stripped go1.99: tainted, no goroutine named" unnamed unknown
check "unknown: one message saying why, naming the version" \
	[ "$(grep -c "goroutines will not be named: Go go1.99.[0-9]* binary without DWARF" "$TMP/unknown.err")" -eq 1 ]

run cgo $GODIR/cgoleak
check "cgo: g through runtime.tlsg: owner and goroutine 1 named" named cgo
check "cgo: stack symbolized through the cgo binary" \
	[ "$(jcount "$TMP/cgo.out" "e['event']=='thread_tainted' and 'main.goroutineWithNs' in [f[0] for f in frames(e)]")" -eq 1 ]
timeout 60 $NSTAINT trace --fail-on-taint -- sh -c "sleep 1 | $GODIR/cgoleak" >/dev/null 2>&1
check "cgo: --fail-on-taint exits 66" [ $? -eq 66 ]

run cgostripped $GODIR/cgoleak-stripped
check "cgo stripped: tainted, no goroutine named" unnamed cgostripped
check "cgo stripped: stack still named from .gopclntab" \
	[ "$(jcount "$TMP/cgostripped.out" "e['event']=='thread_tainted' and 'main.goroutineWithNs' in [f[0] for f in frames(e)]")" -eq 1 ]
check "cgo stripped: one message about runtime.tlsg" \
	[ "$(grep -c 'goroutines will not be named: cgo binary without symbols: runtime.tlsg' "$TMP/cgostripped.err")" -eq 1 ]

# Not a Go program: nothing said about goroutines, not even about an
# unattributable Go process that is tainted elsewhere on the system but
# not followed.
mkfifo "$TMP/in"
"$TMP/stripped-go199" <"$TMP/in" >"$TMP/bg.out" 2>&1 &
bg=$!
exec 9>"$TMP/in"
for _ in $(seq 50); do grep -q ready "$TMP/bg.out" && break; sleep 0.1; done
timeout 30 $NSTAINT trace -- sh -c "sleep 1 | $STACKPROG line" >/dev/null 2>"$TMP/c.err"
timeout 30 $NSTAINT trace --duration 1 >/dev/null 2>"$TMP/all.err"
exec 9>&-
wait $bg
check "C program: no goroutine message, with another Go process tainted" \
	[ "$(grep -c 'goroutines' "$TMP/c.err")" -eq 0 ]
check "system-wide: that tainted Go process is reported" \
	[ "$(grep -c "pid $bg: goroutines will not be named" "$TMP/all.err")" -eq 1 ]

tap_done
