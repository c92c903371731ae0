#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# `nstaint ps` on a host with many threads, side by side in one run:
#   bpf    nstaint ps -b bpf     (the iter/task program, one read)
#   proc   nstaint ps -b proc    (the /proc scan)
#   proc_all nstaint ps -b proc --all (every thread's comm read too)
#   lsns   util-linux lsns       (reads processes, not threads)
#   base   $PS_BASELINE ps       (an older nstaint, if given)
# threadfarm fills the host: PS_PROCS (100) processes with PS_THREADS
# (10000) threads in all, one thread per process in another UTS
# namespace.  Commands alternate within each of ROUNDS (11) rounds, after
# one warm-up round (dentries of a new thread's /proc entries are built by
# the first scan); medians in ms and their ratios are printed, with the
# date and the load.  Every command's wall time includes its exec.
set -u
O=${1:-build}
BIN=$O/nstaint
ROUNDS=${ROUNDS:-11}
THREADS=${PS_THREADS:-10000}
PROCS=${PS_PROCS:-100}
BASE=${PS_BASELINE:-}
tmp=$(mktemp -d)
farm=

[ "$(id -u)" -eq 0 ] || { echo "bench-ps: run as root" >&2; exit 1; }
command -v lsns >/dev/null || { echo "bench-ps: lsns missing (util-linux)" >&2; exit 1; }

cleanup() {
	if [ -n "$farm" ]; then
		exec 7>&-
		wait "$farm" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

mkfifo "$tmp/in"
"$O/bench/ps/threadfarm" "$PROCS" "$THREADS" 1 <"$tmp/in" >"$tmp/farm.out" &
farm=$!
exec 7>"$tmp/in"
until grep -q ready "$tmp/farm.out"; do
	kill -0 "$farm" 2>/dev/null || { echo "bench-ps: threadfarm failed" >&2; exit 1; }
	sleep 0.2
done
nthreads=$(ls /proc/[0-9]*/task 2>/dev/null | grep -c '^[0-9]')

# Both sources must see the farm's tainted threads alike before timing.
"$BIN" ps -b bpf >"$tmp/bpf.txt" 2>/dev/null
"$BIN" ps -b proc >"$tmp/proc.txt" 2>/dev/null
farm_rows() { grep -c ' uts .*threadfarm$' "$1"; }
if [ "$(farm_rows "$tmp/bpf.txt")" -ne "$PROCS" ] ||
   ! cmp -s "$tmp/bpf.txt" "$tmp/proc.txt"; then
	echo "bench-ps: bpf and proc disagree on the farm's $PROCS tainted threads" >&2
	diff "$tmp/bpf.txt" "$tmp/proc.txt" | head >&2
	exit 1
fi

configs="bpf proc proc_all lsns"
[ -n "$BASE" ] && configs="$configs base"

run_one() {
	case $1 in
	bpf)	"$BIN" ps -b bpf ;;
	proc)	"$BIN" ps -b proc ;;
	proc_all)	"$BIN" ps -b proc --all ;;
	lsns)	lsns ;;
	base)	"$BASE" ps ;;
	esac >/dev/null 2>&1
}

# One run: "wall cpu" in microseconds (cpu: user + system, the command's
# own cost, which other load on the host inflates less than wall time).
TIMEFORMAT='%3R %3U %3S'
time_one() {
	{ time run_one "$1"; } 2>&1 | awk '{ printf "%d %d\n", $1 * 1e6, ($2 + $3) * 1e6 }'
}

load0=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' '/')
for c in $configs; do run_one $c; done	# warm-up
for r in $(seq "$ROUNDS"); do
	for c in $configs; do
		time_one $c >>"$tmp/$c.us"
	done
done

# median FILE COLUMN
median() { awk -v k="$2" '{ print $k }' "$1" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for c in $configs; do
	eval "med_$c=$(median "$tmp/$c.us" 1)"
	eval "cpu_$c=$(median "$tmp/$c.us" 2)"
done
ms() { awk -v u="$1" 'BEGIN { printf "%.1f", u / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }

echo "bench-ps: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, kernel $(uname -r)"
echo "bench-ps: $nthreads threads on the host ($THREADS in $PROCS farm processes), $ROUNDS rounds"
echo "bench-ps: load (1/5/15 min) before the rounds: $load0"
printf '%-9s %9s %9s %14s\n' config wall-ms cpu-ms wall-us/thread
for c in $configs; do
	eval "m=\$med_$c; u=\$cpu_$c"
	printf '%-9s %9s %9s %14s\n' "$c" "$(ms "$m")" "$(ms "$u")" \
		"$(awk -v u="$m" -v n="$nthreads" 'BEGIN { printf "%.2f", u / n }')"
done
echo "ratios of wall medians: proc/bpf $(ratio "$med_proc" "$med_bpf"), lsns/bpf $(ratio "$med_lsns" "$med_bpf"), proc/lsns $(ratio "$med_proc" "$med_lsns")${BASE:+, base/proc $(ratio "$med_base" "$med_proc")}"
echo "bench-ps: load after: $(cut -d' ' -f1-3 /proc/loadavg | tr ' ' '/'); uptime: $(uptime)"
