#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# -p PID of `nstaint ps`, `nstaint trace` and `nstaint top` (one parser,
# user/nstaint/cmd/cliopt.c): a value that is no pid (out of range, negative,
# zero, not a number, trailing junk) is a usage error, exit status 2, with
# one message that names the command and ends in a newline; it is never
# truncated into another pid (4294967297 is not pid 1).  A real pid (this
# shell's) still works.  Run from the top of the tree as root.
set -u
. selftests/lib/testlib.sh

BAD=(4294967297 2147483648 4194305 -1 0 abc 12x '' ' 12' +12)
CMDS=(ps trace top)

plan $(( ${#CMDS[@]} * ${#BAD[@]} + ${#CMDS[@]} ))

# run CMD ARGS...: the subcommand, bounded in time even when it wrongly
# accepts the pid (trace would follow pid 1 forever, top would draw).
run() {
	local cmd=$1

	shift
	case $cmd in
	ps)	timeout 30 $NSTAINT ps "$@" ;;
	trace)	timeout 30 $NSTAINT trace --duration 1 "$@" ;;
	top)	timeout 30 $NSTAINT top -b -n 1 -d 0.1 "$@" ;;
	esac
}

# rejected CMD ERRFILE RC VALUE: exit 2; the first line is
# "nstaint CMD: bad pid 'VALUE' ..."; the last byte is a newline; and
# nothing was followed.
rejected() {
	local cmd=$1 err=$2 rc=$3 val=$4

	[ "$rc" -eq 2 ] &&
	head -n 1 "$err" | grep -qF "nstaint $cmd: bad pid '$val'" &&
	[ "$(tail -c 1 "$err" | od -An -c | tr -d ' ')" = '\n' ] &&
	! grep -q 'following pid' "$err"
}

for cmd in "${CMDS[@]}"; do
	for val in "${BAD[@]}"; do
		run "$cmd" -p "$val" >"$TMP/out" 2>"$TMP/err"
		rc=$?
		if rejected "$cmd" "$TMP/err" $rc "$val"; then
			ok "$cmd -p '$val': exit 2, 'nstaint $cmd: bad pid' and a newline"
		else
			not_ok "$cmd -p '$val': exit 2, 'nstaint $cmd: bad pid' and a newline"
			diag "exit $rc, stderr:"
			sed 's/^/#   /' "$TMP/err" | head -n 5
		fi
	done
done

# A valid pid: this shell, which exists and is not tainted.
run ps -p $$ >"$TMP/out" 2>"$TMP/err"
check "ps -p \$\$ exits 0 and scans one process" \
	[ $? -eq 0 -a "$(grep -c '(1 processes' "$TMP/err")" -eq 1 ]
run trace -p $$ >"$TMP/out" 2>"$TMP/err"
check "trace -p \$\$ exits 0 and follows pid $$" \
	[ $? -eq 0 -a "$(grep -c "following pid $$\$" "$TMP/err")" -eq 1 ]
run top -p $$ >"$TMP/out" 2>"$TMP/err"
check "top -p \$\$ draws a frame and exits 0" \
	[ $? -eq 0 -a -s "$TMP/out" ]
tap_done
