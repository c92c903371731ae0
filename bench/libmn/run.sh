#!/bin/bash
# Side-by-side benchmark of libmn and Go 1.19 (Debian golang-go): the same
# workloads (bench/libmn/mnbench.c and bench/libmn/go/main.go), each run in
# a fresh process, alternating C and Go, RUNS times; prints the medians and
# the ratio libmn/Go (below 1 = libmn faster or smaller).
#
# usage: bench/libmn/run.sh [BUILD_DIR]     (RUNS=5 by default)
set -eu
O=${1:-build}
RUNS=${RUNS:-5}
C=$O/bench/libmn/mnbench
G=$O/bench/libmn/gobench
WORKLOADS="spawn_join pingpong_roundtrip yield mutex_uncontended mutex_contended4 skynet_1M parked_task_mem"

for b in "$C" "$G"; do
	[ -x "$b" ] || { echo "run.sh: $b missing: run 'make bench-libmn'" >&2; exit 2; }
done

echo "# libmn vs $(go version 2>/dev/null | awk '{print $3}') on $(nproc) CPUs," \
     "GOMAXPROCS/MN_PROCS default, median of $RUNS runs"
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
for w in $WORKLOADS; do
	for r in $(seq "$RUNS"); do
		"$C" "$w" 2>/dev/null | sed 's/^/C /' >>"$tmp"
		"$G" "$w" 2>/dev/null | sed 's/^/GO /' >>"$tmp"
	done
done
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
print(f"{'workload':22} {'unit':6} {'libmn':>12} {'go':>12} {'libmn/go':>9}")
for n in order:
    c = statistics.median(vals.get(('C', n), [float('nan')]))
    g = statistics.median(vals.get(('GO', n), [float('nan')]))
    print(f"{n:22} {units[n]:6} {c:12.2f} {g:12.2f} {c / g:9.2f}")
PY
