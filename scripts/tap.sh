# shellcheck shell=bash
# Minimal TAP for shell tests: source it, call plan N, then ok/fail/skip.
# Each check prints exactly one TAP line; tap_done exits 1 if any failed.
_tap_n=0
_tap_failed=0
plan() { echo "TAP version 13"; echo "1..$1"; }
ok() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n $*"; }
not_ok() { _tap_n=$((_tap_n + 1)); _tap_failed=1; echo "not ok $_tap_n $*"; }
skip() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n $1 # SKIP $2"; }
# check NAME CMD...: ok if CMD succeeds.
# (A local named _tap_check: bash scoping is dynamic, so a plain "n" would
# shadow a global n that CMD reads.)
check() { local _tap_check=$1; shift; if "$@"; then ok "$_tap_check"; else not_ok "$_tap_check"; fi; }
diag() { echo "# $*"; }
tap_done() { exit $_tap_failed; }
