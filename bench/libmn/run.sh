#!/bin/bash
# Side-by-side benchmark of libmn and Go 1.19 (Debian golang-go): the same
# workloads (bench/libmn/mnbench.c and bench/libmn/go/main.go), each run in
# a fresh process, alternating C and Go, RUNS times; prints the medians,
# the ratio libmn/Go of the medians, and whether the figure meets the
# target: time figures (ns/op, ms, us) at most 0.8 of Go's, throughput
# (req/s) at least 1/0.8 of Go's, memory (bytes) at most 2x Go's.  The
# spread column is (max - min) / median of libmn's runs: the noise.  The
# 90% column is a bootstrap interval of the ratio (each side's runs
# resampled, 2000 times, a fixed seed so the same runs print the same
# interval), and "noise" says whether the whole of it meets the target:
# "beyond" if so, "within" if the median meets it and part of the
# interval does not; "-" with fewer than 3 runs, where resampling says
# nothing.  The header says when, the host's load average before and
# after, and the steal time the host took from this guest's CPUs during
# the runs (/proc/stat), since the host is shared, and what the kernel
# alone charges for the echo's requests, on fresh connections and later
# (coldconn.c), measured once after the runs.
#
# usage: bench/libmn/run.sh [BUILD_DIR]     (RUNS=5 by default)
set -eu
O=${1:-build}
RUNS=${RUNS:-5}
C=$O/bench/libmn/mnbench
G=$O/bench/libmn/gobench
K=$O/bench/libmn/coldconn
WORKLOADS="spawn_join pingpong_roundtrip yield mutex_uncontended mutex_contended4 skynet_1M
	chan_buffered select4 timers_10k echo_1000 parked_task_mem"

for b in "$C" "$G" "$K"; do
	[ -x "$b" ] || { echo "run.sh: $b missing: run 'make bench-libmn'" >&2; exit 2; }
done

load() { awk '{print $1, $2, $3}' /proc/loadavg; }
steal() { awk '/^cpu /{print $9}' /proc/stat; }	# USER_HZ ticks, all CPUs
echo "# libmn vs $(go version 2>/dev/null | awk '{print $3}') on $(nproc) CPUs," \
     "GOMAXPROCS/MN_PROCS default, median of $RUNS runs"
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), load average before: $(load)"
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
steal0=$(steal)
for w in $WORKLOADS; do
	for r in $(seq "$RUNS"); do
		"$C" "$w" 2>/dev/null | sed 's/^/C /' >>"$tmp"
		"$G" "$w" 2>/dev/null | sed 's/^/GO /' >>"$tmp"
	done
done
echo "# load average after: $(load); steal time during: $(( ($(steal) - steal0) / $(getconf CLK_TCK) )) s"
kernel=$("$K") || { echo "run.sh: $K failed" >&2; exit 1; }
echo "# $kernel"
python3 - "$tmp" <<'PY'
import sys, statistics, random
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

def interval(cv, gv, rng):
    rs = sorted(statistics.median(rng.choices(cv, k=len(cv))) /
                statistics.median(rng.choices(gv, k=len(gv)))
                for _ in range(2000))
    return rs[len(rs) * 5 // 100], rs[len(rs) * 95 // 100]

rng = random.Random(1)
print(f"{'workload':22} {'unit':6} {'libmn':>12} {'go':>12} {'libmn/go':>9} {'90%':>11} {'target':>7} {'noise':>6} {'spread':>7}")
for n in order:
    cv = vals.get(('C', n), [float('nan')])
    gv = vals.get(('GO', n), [float('nan')])
    c, g = statistics.median(cv), statistics.median(gv)
    r = c / g
    lo, hi = interval(cv, gv, rng)
    ok = target(units[n], r)
    beyond = target(units[n], lo) and target(units[n], hi)
    noise = '-' if not ok or min(len(cv), len(gv)) < 3 else 'beyond' if beyond else 'within'
    spread = (max(cv) - min(cv)) / c if c else float('nan')
    print(f"{n:22} {units[n]:6} {c:12.2f} {g:12.2f} {r:9.2f} {lo:5.2f}-{hi:<5.2f} "
          f"{'ok' if ok else 'MISSED':>7} {noise:>6} {spread:7.2f}")
PY
