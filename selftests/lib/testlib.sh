# shellcheck shell=sh
# The preamble the TAP shell tests share.  POSIX sh: bash on the host and
# busybox sh in the 6.1 VM (selftests/vm/run-vm-tests).  Source it from
# the top of the tree, after `set -u`:
#   . selftests/lib/testlib.sh
# It sources scripts/tap.sh (plan, check, ok, not_ok, diag, tap_done) and
# gives:
#   O, NSTAINT      the build directory ($O, default build) and the
#                   binary under test
#   TMP             a private temporary directory, removed at exit
#   at_exit CMD     run the shell command CMD at exit, before TMP goes;
#                   the last registered runs first
#   jcount FILE EXPR
#                   how many JSON lines of FILE make the Python expression
#                   EXPR (over the record e) true (selftests/lib/jcount.py)
#   jcount_fixed FILE STRING...
#                   how many lines of FILE contain every fixed STRING
#                   (no python needed: the field order of --json is fixed)
#   wait_for FILE ERE [TENTHS]
#                   true once a line of FILE matches ERE, within TENTHS
#                   tenths of a second (100)
#   wait_attached ERRFILE
#                   wait (up to 60 s) until the `nstaint trace` whose
#                   stderr goes to ERRFILE says its probes are in place: a
#                   fixed sleep is not enough in the VM (TCG), where loading
#                   takes seconds
. scripts/tap.sh

O=${O:-build}
# shellcheck disable=SC2034 # for the scripts that source this
NSTAINT=$O/nstaint
TMP=$(mktemp -d)

_testlib_at_exit=
at_exit() {
	_testlib_at_exit="$1
$_testlib_at_exit"
}
_testlib_exit() {
	eval "$_testlib_at_exit"
	rm -rf "$TMP"
}
trap _testlib_exit EXIT

jcount() { python3 selftests/lib/jcount.py "$@"; }

jcount_fixed() {
	_jf=$1
	shift
	cp "$_jf" "$TMP/.jc"
	for _p in "$@"; do
		grep -F -- "$_p" "$TMP/.jc" >"$TMP/.jc2"
		mv "$TMP/.jc2" "$TMP/.jc"
	done
	wc -l <"$TMP/.jc"
}

wait_for() {
	_wf=0
	while [ $_wf -lt "${3:-100}" ]; do
		grep -Eq "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		_wf=$((_wf + 1))
	done
	return 1
}

wait_attached() {
	_wa=0
	while [ $_wa -lt 600 ]; do
		grep -q '^nstaint trace: attached' "$1" && return
		sleep 0.1
		_wa=$((_wa + 1))
	done
}
