#!/bin/bash
# The echo benchmark with one thread stalled now and then: libmn and Go
# 1.19 side by side, each in a fresh process, alternating, RUNS times,
# plain and under bench/libmn/stall (every EVERY_US, the busiest thread
# of the process is stopped for ON_US, as a host stealing its vCPU
# would).  Prints the medians of requests/s and p99, libmn/Go, and what
# the stalls added to each side's p99.  Not in make check.
#
# usage: bench/libmn/stall.sh [BUILD_DIR]   (RUNS=9 ON_US=15000 EVERY_US=150000)
set -eu
O=${1:-build}
RUNS=${RUNS:-9}
ON_US=${ON_US:-15000}
EVERY_US=${EVERY_US:-150000}
C=$O/bench/libmn/mnbench
G=$O/bench/libmn/gobench
S=$O/bench/libmn/stall

for b in "$C" "$G" "$S"; do
	[ -x "$b" ] || { echo "stall.sh: $b missing: run 'make bench-libmn-stall'" >&2; exit 2; }
done
steal() { awk '/^cpu /{print $9}' /proc/stat; }
echo "# echo_1000, libmn vs $(go version 2>/dev/null | awk '{print $3}') on $(nproc) CPUs, median of $RUNS runs;" \
     "stalled: ${ON_US} us every ${EVERY_US} us"
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), load average before: $(awk '{print $1, $2, $3}' /proc/loadavg)"
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
steal0=$(steal)
for r in $(seq "$RUNS"); do
	for side in C GO; do
		b=$C; [ $side = GO ] && b=$G
		"$b" echo_1000 2>/dev/null | sed "s/^/$side plain /" >>"$tmp"
		"$S" "$ON_US" "$EVERY_US" "$b" echo_1000 2>/dev/null | sed "s/^/$side stalled /" >>"$tmp"
	done
done
echo "# steal time during: $(( ($(steal) - steal0) / $(getconf CLK_TCK) )) s"
python3 - "$tmp" <<'PY'
import sys, statistics
v = {}
for line in open(sys.argv[1]):
    side, mode, name, x, unit = line.split()
    v.setdefault((side, mode, name), []).append(float(x))
m = lambda *k: statistics.median(v[k])
print(f"{'':8} {'figure':14} {'libmn':>10} {'go':>10} {'libmn/go':>9}")
for mode in ("plain", "stalled"):
    for name, scale, unit in (("echo_1000_rps", 1, "req/s"), ("echo_1000_p99", 1e-3, "ms")):
        c, g = m("C", mode, name), m("GO", mode, name)
        print(f"{mode:8} {name[10:] + ' ' + unit:14} {c * scale:10.1f} {g * scale:10.1f} {c / g:9.2f}")
for side, label in (("C", "libmn"), ("GO", "go")):
    add = m(side, "stalled", "echo_1000_p99") - m(side, "plain", "echo_1000_p99")
    print(f"stalls added {add / 1e3:.1f} ms to {label}'s p99")
PY
