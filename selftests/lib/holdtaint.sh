# shellcheck shell=bash
# selftests/agent/holdtaint driven from a test (bash; source after
# testlib.sh):
#   hold_start NAME  start it, fed by the fifo $TMP/NAME.in; sets
#                    NAME_pid, NAME_fd (write a line to go on) and
#                    NAME_tid (its tainted thread) once it says so
#   hold_step NAME   one line: the thread exits (first), then main (second)
#   hold_stop NAME   the steps not taken yet, waited for; NAME_pid emptied
HOLD=$O/selftests/agent/holdtaint

hold_start() {
	local fd
	mkfifo "$TMP/$1.in"
	exec {fd}<>"$TMP/$1.in"
	"$HOLD" <&"$fd" >"$TMP/$1.out" 2>&1 &
	printf -v "$1_pid" %s "$!"
	printf -v "$1_fd" %s "$fd"
	printf -v "$1_steps" %s 0
	wait_for "$TMP/$1.out" '^tainted tid=' 100
	printf -v "$1_tid" %s "$(sed -n 's/^tainted tid=\([0-9]*\)$/\1/p' "$TMP/$1.out")"
}

hold_step() {
	local fd=$1_fd steps=$1_steps
	echo >&"${!fd}"
	printf -v "$1_steps" %s $((${!steps} + 1))
}

hold_stop() {
	local pid=$1_pid fd=$1_fd steps=$1_steps
	[ -n "${!pid}" ] || return 0
	[ "${!steps}" -ge 1 ] || hold_step "$1"
	wait_for "$TMP/$1.out" '^exited tid=' 100
	[ "${!steps}" -ge 2 ] || hold_step "$1"
	wait "${!pid}"
	exec {fd}>&-
	printf -v "$1_pid" %s ''
}
