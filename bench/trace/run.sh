#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Overhead of `nstaint trace` while nothing is tainted, side by side in one
# run, and its record throughput:
#  1. `perf bench sched pipe` pinned to one CPU (two tasks ping-ponging:
#     a context switch per message): no tracer, nstaint trace, and a
#     bpftrace one-liner on tracepoint:sched:sched_switch (a peer);
#  2. a getppid() loop: no tracer, nstaint trace;
#  both also with `nstaint trace --lazy` ("lazy": no syscall hook at all,
#  namespace changes seen at the next context switch);
#  both also with bpftrace on sched_switch AND the setns/unshare syscall
#  tracepoints ("bpftrace+sys"): the same hooks as nstaint where the kernel
#  has no fentry, so what the hooks cost by themselves;
#  3. a storm of unshare(CLONE_NEWUTS) from many threads through ring
#     buffers of three sizes: records/s delivered and lost (by stage:
#     kernel ring, user queue), and the check delivered + lost ==
#     produced; then the drain rate of a synthetic ring fill;
#  4. with one thread tainted in another process (mnleak hold), sched pipe
#     and getppid in an untainted one: none, nstaint, lazy (the system call
#     hook is attached then: its cost while something is tainted), with the
#     recall of the ground-truth program (selftests/go/sockns) beside;
#  5. --exact: a goroutine-heavy Go program with a poisoned thread
#     (selftests/go/onthread pingpong) under trace and under trace --exact;
#  6. the window between a taint and the attach of the system call hook
#     (attached only while something is tainted), default and --lazy: 5
#     taints by mnleak hold, not followed (so not held), as NSTAINT_DEBUG
#     reports it.
# BENCH_ONLY=tainted runs parts 4 to 6 only; BENCH_ONLY=window part 6;
# BENCH_ONLY=storm part 3 (storm and drain rate).
# Configurations alternate within each round; medians and their ratios are
# printed.  ROUNDS (7), PIPE_LOOPS (200000), PPID_CALLS (3000000),
# BENCH_CPU (1), STORM_FLIPS (2000).
set -u
O=${1:-build}
BIN=$O/nstaint
ROUNDS=${ROUNDS:-7}
PIPE_LOOPS=${PIPE_LOOPS:-200000}
PPID_CALLS=${PPID_CALLS:-3000000}
CPU=${BENCH_CPU:-1}
FLIPS=${STORM_FLIPS:-2000}
tmp=$(mktemp -d)
tracer=

[ "$(id -u)" -eq 0 ] || { echo "bench-trace: run as root" >&2; exit 1; }
for t in perf bpftrace bpftool taskset; do
	command -v $t >/dev/null || { echo "bench-trace: $t missing (scripts/deps.sh)" >&2; exit 1; }
done

stop_tracer() {
	if [ -n "$tracer" ]; then
		kill -INT "$tracer" 2>/dev/null
		wait "$tracer" 2>/dev/null
		tracer=
	fi
}
trap 'stop_tracer; rm -rf "$tmp"' EXIT

# start_tracer none|nstaint|lazy|bpftrace|bpftrace+sys: returns once the tracer
# says it is attached.
start_tracer() {
	: >"$tmp/tr.out"; : >"$tmp/tr.err"
	case $1 in
	none) return ;;
	nstaint) "$BIN" trace >/dev/null 2>"$tmp/tr.err" & tracer=$!
		 ready='^nstaint trace: attached' ;;
	lazy) "$BIN" trace --lazy >/dev/null 2>"$tmp/tr.err" & tracer=$!
	      ready='^nstaint trace: attached' ;;
	bpftrace) bpftrace -e 'tracepoint:sched:sched_switch { @[cpu] = count(); }' \
			>"$tmp/tr.out" 2>"$tmp/tr.err" & tracer=$!
		  ready='^Attaching' ;;
	bpftrace+sys) bpftrace -e 'tracepoint:sched:sched_switch { @[cpu] = count(); }
		tracepoint:syscalls:sys_enter_setns, tracepoint:syscalls:sys_exit_setns,
		tracepoint:syscalls:sys_enter_unshare, tracepoint:syscalls:sys_exit_unshare
		{ @ns = count(); }' >"$tmp/tr.out" 2>"$tmp/tr.err" & tracer=$!
		ready='^Attaching' ;;
	esac
	for _ in $(seq 300); do
		cat "$tmp/tr.out" "$tmp/tr.err" | grep -q "$ready" && break
		sleep 0.1
	done
	cat "$tmp/tr.out" "$tmp/tr.err" | grep -q "$ready" ||
		{ echo "bench-trace: $1 did not attach:" >&2; cat "$tmp/tr.err" >&2; exit 1; }
	sleep 0.5	# let the start-up (snapshot, probes) settle
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
pipe_once() { taskset -c "$CPU" perf bench sched pipe -l "$PIPE_LOOPS" 2>/dev/null | awk '/usecs\/op/ {print $1}'; }
ppid_once() { taskset -c "$CPU" "$O/bench/trace/getppid" "$PPID_CALLS"; }

if [ -z "${BENCH_ONLY:-}" ]; then
echo "# nstaint trace overhead: $ROUNDS rounds, CPU $CPU, kernel $(uname -r), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$ROUNDS"); do
	for cfg in none nstaint lazy bpftrace bpftrace+sys; do
		start_tracer $cfg
		pipe_once >>"$tmp/pipe.$cfg"
		[ $cfg != bpftrace ] && ppid_once >>"$tmp/ppid.$cfg"
		stop_tracer
	done
done
pn=$(median <"$tmp/pipe.none"); pt=$(median <"$tmp/pipe.nstaint")
pb=$(median <"$tmp/pipe.bpftrace"); ps=$(median <"$tmp/pipe.bpftrace+sys")
pl=$(median <"$tmp/pipe.lazy")
gn=$(median <"$tmp/ppid.none"); gt=$(median <"$tmp/ppid.nstaint")
gs=$(median <"$tmp/ppid.bpftrace+sys"); gl=$(median <"$tmp/ppid.lazy")
printf 'sched pipe usecs/op, median: none %s  nstaint %s  lazy %s  bpftrace %s  bpftrace+sys %s\n' \
	"$pn" "$pt" "$pl" "$pb" "$ps"
awk -v n="$pn" -v t="$pt" -v l="$pl" -v b="$pb" -v s="$ps" 'BEGIN {
	printf "  nstaint/none       %.3f (%+.1f%%, target <= +3%%)\n", t/n, (t/n-1)*100
	printf "  lazy/none          %.3f (%+.1f%%, target <= +3%%)\n", l/n, (l/n-1)*100
	printf "  bpftrace/none      %.3f (%+.1f%%)\n", b/n, (b/n-1)*100
	printf "  bpftrace+sys/none  %.3f (%+.1f%%)\n", s/n, (s/n-1)*100
	printf "  nstaint/bpftrace   %.3f\n", t/b
	printf "  lazy/bpftrace      %.3f\n", l/b
	printf "  nstaint/bpftrace+sys %.3f\n", t/s }'
printf 'getppid ns/call, median: none %s  nstaint %s  lazy %s  bpftrace+sys %s\n' "$gn" "$gt" "$gl" "$gs"
awk -v n="$gn" -v t="$gt" -v l="$gl" -v s="$gs" 'BEGIN {
	printf "  nstaint/none       %.3f (%+.1f%%, target <= +3%%)\n", t/n, (t/n-1)*100
	printf "  lazy/none          %.3f (%+.1f%%, target <= +3%%)\n", l/n, (l/n-1)*100
	printf "  bpftrace+sys/none  %.3f (%+.1f%%)\n", s/n, (s/n-1)*100
	printf "  nstaint/bpftrace+sys %.3f\n", t/s }'
if "$BIN" trace --duration 0.1 2>&1 >/dev/null | grep -q trampoline; then
	echo "  (no fentry on this kernel: setns/unshare hooked by syscall tracepoints,"
	echo "   which put every system call on the slow path)"
fi

fi

if [ -z "${BENCH_ONLY:-}" ] || [ "$BENCH_ONLY" = storm ]; then
# Storm: text output thrown away, ring buffers of 256 KiB, the default
# (4 MiB) and 16 MiB.  Produced records: one ns_change per successful unshare, plus
# per thread one thread_tainted (first unshare) and one thread_exit.  The
# time is trace's whole run (start-up included).
for rb in 256 4096 16384; do
	for threads in 8 32; do
		start=$(date +%s.%N)
		"$BIN" trace --ringbuf-kb "$rb" -- "$O/selftests/bpf/nsflip" storm "$threads" "$FLIPS" \
			>"$tmp/storm.out" 2>"$tmp/storm.err"
		end=$(date +%s.%N)
		changes=$(sed -n 's/^storm threads=[0-9]* changes=//p' "$tmp/storm.out")
		sed -n 's/^nstaint trace: \([0-9]* ns_change\)/\1/p' "$tmp/storm.err" | tr -d ',' | awk \
			-v s="$start" -v e="$end" -v th="$threads" -v ch="${changes:-0}" -v rb="$rb" '{
			for (i = 1; i < NF; i += 2)
				if ($(i+1) == "lost") lost = $i; else got += $i
			prod = ch + 2 * th
			printf "storm ring %s KiB, %d threads x %d unshares: produced %d, delivered %d (%.1f%%), lost %d (%.2f%%), %.2fs, %.0f delivered/s; delivered+lost %s produced\n",
				rb, th, ch / th, prod, got, 100 * got / prod, lost, 100 * lost / prod,
				e - s, got / (e - s), got + lost == prod ? "==" : "!="
		}'
		sed -n 's/^nstaint trace: lost by stage: /  lost by stage: /p' "$tmp/storm.err"
	done
done

# The drain stage alone: a synthetic fill of the default ring, drained
# into the pipeline's queue (bench/trace/drainbench.c).
echo "# drain rate, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$O/bench/trace/drainbench" 21
fi

# hold_start / hold_stop: mnleak hold keeps its thread tainted (parked)
# until its stdin gets a line.
hold_start() {
	rm -f "$tmp/hold.in"
	mkfifo "$tmp/hold.in"
	"$O/selftests/bpf/mnleak" hold <"$tmp/hold.in" >"$tmp/hold.out" 2>&1 &
	holder=$!
	exec 9>"$tmp/hold.in"
	for _ in $(seq 100); do grep -q '^ready' "$tmp/hold.out" && break; sleep 0.1; done
	grep -q '^ready' "$tmp/hold.out" || { echo "bench-trace: mnleak hold not ready" >&2; exit 1; }
}
hold_stop() {
	echo >&9
	exec 9>&-
	wait "$holder"
}

if [ -z "${BENCH_ONLY:-}" ] || [ "$BENCH_ONLY" = tainted ]; then
# 4. A thread tainted in another process, for the whole part: mnleak hold
# keeps its tainted thread (parked) until its stdin gets a line.
hold_start
echo "# one thread tainted in another process (mnleak hold, pid $holder): $ROUNDS rounds, load $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$ROUNDS"); do
	for cfg in none nstaint lazy; do
		start_tracer $cfg
		pipe_once >>"$tmp/tpipe.$cfg"
		ppid_once >>"$tmp/tppid.$cfg"
		stop_tracer
	done
done
hold_stop
pn=$(median <"$tmp/tpipe.none"); pt=$(median <"$tmp/tpipe.nstaint"); pl=$(median <"$tmp/tpipe.lazy")
gn=$(median <"$tmp/tppid.none"); gt=$(median <"$tmp/tppid.nstaint"); gl=$(median <"$tmp/tppid.lazy")
# Recall beside the cost: the ground-truth program once per mode.
recall() {
	"$BIN" trace "$@" --json -- "$O/selftests/go/sockns" net 400 >"$tmp/gt" 2>/dev/null
	python3 selftests/lib/recall.py "$tmp/gt" socket | awk '{ printf "%d of %d (%.1f%%)", $2, $1, $1 ? 100 * $2 / $1 : 0 }'
}
rn=$(recall); rl=$(recall --lazy)
printf 'tainted elsewhere, sched pipe usecs/op, median: none %s  nstaint %s  lazy %s\n' "$pn" "$pt" "$pl"
awk -v n="$pn" -v t="$pt" -v l="$pl" 'BEGIN {
	printf "  nstaint/none       %.3f (%+.1f%%)\n", t/n, (t/n-1)*100
	printf "  lazy/none          %.3f (%+.1f%%)\n", l/n, (l/n-1)*100 }'
printf 'tainted elsewhere, getppid ns/call, median: none %s  nstaint %s  lazy %s\n' "$gn" "$gt" "$gl"
awk -v n="$gn" -v t="$gt" -v l="$gl" 'BEGIN {
	printf "  nstaint/none       %.3f (%+.1f%%)\n", t/n, (t/n-1)*100
	printf "  lazy/none          %.3f (%+.1f%%)\n", l/n, (l/n-1)*100 }'
echo "  recall of sockns net 400 (goroutines named at socket() / in the wrong netns): nstaint $rn, lazy $rl"

# 5. --exact: what hooking runtime.execute costs the traced Go process.
for r in $(seq "$ROUNDS"); do
	for cfg in plain exact; do
		"$BIN" trace $([ $cfg = exact ] && echo --exact) -- "$O/selftests/go/onthread" pingpong 200000 2>/dev/null |
			sed -n 's/^pingpong rounds=[0-9]* ns=//p' >>"$tmp/pp.$cfg"
	done
done
en=$(median <"$tmp/pp.plain"); ee=$(median <"$tmp/pp.exact")
printf 'pingpong 200000 (4 goroutine pairs, one poisoned thread) ms, median: trace %.1f  trace --exact %.1f\n' \
	"$(echo "$en / 1000000" | bc -l)" "$(echo "$ee / 1000000" | bc -l)"
awk -v n="$en" -v e="$ee" 'BEGIN { printf "  exact/trace        %.2f (%+.0f%%)\n", e/n, (e/n-1)*100 }'
fi

# 6. Taint-to-attach window of the on-demand system call hook, default
# mode and --lazy.
[ "${BENCH_ONLY:-}" = storm ] && exit 0
for mode in default --lazy; do
	NSTAINT_DEBUG=1 "$BIN" trace $([ $mode = default ] || echo $mode) >/dev/null 2>"$tmp/win.err" & tracer=$!
	for _ in $(seq 300); do grep -qs "^nstaint trace: attached" "$tmp/win.err" && break; sleep 0.1; done
	sleep 0.5
	for _ in 1 2 3 4 5; do
		hold_start
		sleep 0.2
		hold_stop
		sleep 0.2
	done
	stop_tracer
	echo "taint-to-attach window (trace $mode, 5 taints by mnleak hold, not held):"
	sed -n 's/^nstaint: system call hook: /  /p' "$tmp/win.err"
done
