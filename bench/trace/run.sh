#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Overhead of `nstaint trace` with nothing tainted, side by side in one run:
#  1. perf bench sched pipe pinned to one CPU: no tracer, nstaint trace,
#     and a bpftrace one-liner on the classic sched_switch tracepoint;
#  2. a getppid() loop: no tracer vs nstaint trace;
#  3. a setns storm from many threads: records/s delivered and lost.
# Rounds alternate the configurations; medians and their ratios are printed.
# ROUNDS (default 7), PIPE_LOOPS (200000), PPID_CALLS (3000000).
set -u
O=${1:-build}
BIN=$O/nstaint
ROUNDS=${ROUNDS:-7}
PIPE_LOOPS=${PIPE_LOOPS:-200000}
PPID_CALLS=${PPID_CALLS:-3000000}
CPU=${BENCH_CPU:-1}
tmp=$(mktemp -d)
tracer=

stop_tracer() {
	if [ -n "$tracer" ]; then
		kill -INT "$tracer" 2>/dev/null
		wait "$tracer" 2>/dev/null
		tracer=
	fi
}
trap 'stop_tracer; rm -rf "$tmp"' EXIT

# start_tracer none|nstaint|bpftrace: attached when this returns.
start_tracer() {
	: >"$tmp/tr.err"
	case $1 in
	none) return ;;
	nstaint) "$BIN" trace >/dev/null 2>"$tmp/tr.err" & tracer=$!
		 ready='tracing all processes' ;;
	bpftrace) bpftrace -e 'tracepoint:sched:sched_switch { @[cpu] = count(); }' \
			>/dev/null 2>"$tmp/tr.err" & tracer=$!
		  ready='' ;;
	esac
	for _ in $(seq 100); do
		if [ -n "$ready" ] && grep -q "$ready" "$tmp/tr.err"; then break; fi
		if [ -z "$ready" ] && bpftool prog show 2>/dev/null | grep -q 'sched_switch\|tracepoint.*name sched'; then break; fi
		sleep 0.1
	done
	sleep 0.5
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

pipe_once() { taskset -c "$CPU" perf bench sched pipe -l "$PIPE_LOOPS" 2>/dev/null | awk '/usecs\/op/ {print $1}'; }
ppid_once() { taskset -c "$CPU" "$O/bench/trace/getppid" "$PPID_CALLS"; }

echo "# nstaint trace overhead, $ROUNDS rounds, CPU $CPU, $(uname -r)"
for r in $(seq "$ROUNDS"); do
	for cfg in none nstaint bpftrace; do
		start_tracer $cfg
		pipe_once >>"$tmp/pipe.$cfg"
		[ $cfg != bpftrace ] && ppid_once >>"$tmp/ppid.$cfg"
		stop_tracer
	done
done
pn=$(median <"$tmp/pipe.none"); pt=$(median <"$tmp/pipe.nstaint"); pb=$(median <"$tmp/pipe.bpftrace")
gn=$(median <"$tmp/ppid.none"); gt=$(median <"$tmp/ppid.nstaint")
printf 'sched pipe usecs/op median: none %s  nstaint %s  bpftrace %s\n' "$pn" "$pt" "$pb"
awk -v n="$pn" -v t="$pt" -v b="$pb" 'BEGIN {
	printf "  ratio nstaint/none   %.3f (%+.1f%%, target <= +3%%)\n", t/n, (t/n-1)*100
	printf "  ratio bpftrace/none  %.3f (%+.1f%%)\n", b/n, (b/n-1)*100
	printf "  ratio nstaint/bpftrace %.3f\n", t/b }'
printf 'getppid ns/call median: none %s  nstaint %s\n' "$gn" "$gt"
awk -v n="$gn" -v t="$gt" 'BEGIN {
	printf "  ratio nstaint/none   %.3f (%+.1f%%, target <= +3%%)\n", t/n, (t/n-1)*100 }'

# Storm: default ring buffer, text output to /dev/null.
for threads in 8 32; do
	start=$(date +%s.%N)
	"$BIN" trace -- "$O/selftests/bpf/nsprog" storm "$threads" 2000 >/dev/null 2>"$tmp/storm.err"
	end=$(date +%s.%N)
	line=$(grep 'namespace change' "$tmp/storm.err")
	echo "storm $threads threads x 2000 flips: $line"
	echo "$line" | awk -v s="$start" -v e="$end" '{
		for (i = 1; i <= NF; i++) {
			if ($(i+1) ~ /^namespace/) ch = $i
			if ($(i+1) == "threads" || $(i+1) == "thread") ta = $i
			if ($(i+1) == "restored,") re = $i
			if ($(i+1) == "lost") lo = $i
		}
		d = ch + ta + re
		printf "  delivered %d records in %.2fs = %.0f records/s, lost %d (reported, not silent)\n", d, e - s, d / (e - s), lo }'
done
