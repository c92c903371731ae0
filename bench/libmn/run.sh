#!/bin/bash
# Side-by-side benchmark of libmn and Go 1.19 (Debian golang-go): the same
# workloads (bench/libmn/mnbench.c and bench/libmn/go/main.go), each run in
# a fresh process, alternating C and Go, RUNS times; prints the medians,
# the ratio libmn/Go of the medians, and whether the figure meets the
# target: time figures (ns/op, ms, us) at most 0.8 of Go's, throughput
# (req/s) at least 1/0.8 of Go's, memory (bytes) at most 2x Go's.  The
# spread column is (max - min) / median of libmn's runs: the noise.  The
# header says when, and the host's load average before and after, since
# the host is shared.
#
# usage: bench/libmn/run.sh [BUILD_DIR]     (RUNS=5 by default)
set -eu
O=${1:-build}
RUNS=${RUNS:-5}
C=$O/bench/libmn/mnbench
G=$O/bench/libmn/gobench
WORKLOADS="spawn_join pingpong_roundtrip yield mutex_uncontended mutex_contended4 skynet_1M
	chan_buffered select4 timers_10k echo_1000 parked_task_mem"

for b in "$C" "$G"; do
	[ -x "$b" ] || { echo "run.sh: $b missing: run 'make bench-libmn'" >&2; exit 2; }
done

load() { awk '{print $1, $2, $3}' /proc/loadavg; }
echo "# libmn vs $(go version 2>/dev/null | awk '{print $3}') on $(nproc) CPUs," \
     "GOMAXPROCS/MN_PROCS default, median of $RUNS runs"
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), load average before: $(load)"
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
for w in $WORKLOADS; do
	for r in $(seq "$RUNS"); do
		"$C" "$w" 2>/dev/null | sed 's/^/C /' >>"$tmp"
		"$G" "$w" 2>/dev/null | sed 's/^/GO /' >>"$tmp"
	done
done
echo "# load average after: $(load)"
python3 - "$tmp" <<'PY'
import sys, statistics
vals = {}
units = {}
order = []
for line in open(sys.argv[1]):
    side, name, v, unit = line.split()
    vals.setdefault((side, name), []).append(float(v))
    units[name] = unit
    if name not in order:
        order.append(name)
def target(unit, r):
    if unit == "bytes":
        return r <= 2.0
    if unit.endswith("/s"):
        return r >= 1 / 0.8
    return r <= 0.8

print(f"{'workload':22} {'unit':6} {'libmn':>12} {'go':>12} {'libmn/go':>9} {'target':>7} {'spread':>7}")
for n in order:
    cv = vals.get(('C', n), [float('nan')])
    c = statistics.median(cv)
    g = statistics.median(vals.get(('GO', n), [float('nan')]))
    r = c / g
    spread = (max(cv) - min(cv)) / c if c else float('nan')
    print(f"{n:22} {units[n]:6} {c:12.2f} {g:12.2f} {r:9.2f} {'ok' if target(units[n], r) else 'MISSED':>7} {spread:7.2f}")
PY
