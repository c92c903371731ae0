#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# `nstaint agent` as a node agent costs, beside `nstaint trace`:
#  1. idle: the agent (BPF), the agent on the proc backend (1 s scans)
#     and `nstaint trace`, all started together, left alone IDLE_S
#     seconds: CPU (user+system, % of one CPU, from /proc/PID/stat) and
#     RSS (VmRSS at the end, VmHWM the peak);
#  2. storm: the same three while STORM_THREADS threads each unshare
#     their uts namespace STORM_FLIPS times (selftests/bpf/nsflip storm):
#     CPU seconds spent during the storm, RSS after, records received;
#  3. scrape latency: GET /metrics SCRAPES times (Python's http.client)
#     with 10,000 threads on the host (bench/ps/threadfarm, 100
#     processes, one thread tainted in each): median, p95, max.
# All three consumers are attached at once: on a small host they share
# the CPUs with the storm, as they would on a node.
set -u
O=${1:-build}
BIN=$O/nstaint
IDLE_S=${IDLE_S:-60}
THREADS=${STORM_THREADS:-8}
FLIPS=${STORM_FLIPS:-2000}
SCRAPES=${SCRAPES:-50}
HZ=$(getconf CLK_TCK)
tmp=$(mktemp -d)
pids=''

[ "$(id -u)" -eq 0 ] || { echo "bench-agent: run as root" >&2; exit 1; }
cleanup() {
	# shellcheck disable=SC2086
	[ -n "$pids" ] && kill -TERM $pids 2>/dev/null && wait $pids 2>/dev/null
	[ -n "${farm:-}" ] && kill "$farm" 2>/dev/null && wait "$farm" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# ticks PID: user + system clock ticks so far.
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
wait_line() {
	for _ in $(seq 600); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
	echo "bench-agent: no '$2' in $1:" >&2; cat "$1" >&2; exit 1
}
port_of() { sed -n 's/^nstaint agent: metrics on port \([0-9]*\)$/\1/p' "$1"; }
records() {
	/usr/bin/python3 selftests/lib/httpget.py GET "http://127.0.0.1:$1/metrics" |
		awk '/^nstaint_records_total/ { n += $2 } END { print n }'
}

"$BIN" agent --metrics-address 127.0.0.1:0 --export=none 2>"$tmp/bpf.err" &
agent=$!
"$BIN" agent --backend=proc --metrics-address 127.0.0.1:0 --export=none 2>"$tmp/proc.err" &
proca=$!
"$BIN" trace >/dev/null 2>"$tmp/trace.err" &
trace=$!
pids="$agent $proca $trace"
wait_line "$tmp/bpf.err" '^nstaint agent: attached'
wait_line "$tmp/proc.err" '^nstaint agent: attached'
wait_line "$tmp/trace.err" '^nstaint trace: attached'
sleep 2	# start-up (snapshot, probes, first scans) is not idling
bport=$(port_of "$tmp/bpf.err")
pport=$(port_of "$tmp/proc.err")

echo "# nstaint agent: $(date -u +%Y-%m-%dT%H:%MZ), kernel $(uname -r), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A t0 t1
# "Idle": nothing of ours runs; what the rest of the host does (other
# tests, services) still makes records, counted beside.
i0b=$(records "$bport"); i0p=$(records "$pport")
for p in $pids; do t0[$p]=$(ticks "$p"); done
sleep "$IDLE_S"
for p in $pids; do t1[$p]=$(ticks "$p"); done
i1b=$(records "$bport"); i1p=$(records "$pport")
printf '\nidle %d s             CPU %%   RSS MiB  peak MiB  records (the rest of the host)\n' "$IDLE_S"
for p in $agent $proca $trace; do
	case $p in
	"$agent") n="agent (bpf)"; rec=$((i1b - i0b)) ;;
	"$proca") n="agent (proc, 1 s)"; rec=$((i1p - i0p)) ;;
	*) n="nstaint trace"; rec=- ;;
	esac
	awk -v n="$n" -v d=$((t1[$p] - t0[$p])) -v hz="$HZ" -v s="$IDLE_S" -v r="$(kb "$p" VmRSS)" \
		-v h="$(kb "$p" VmHWM)" -v rec="$rec" \
		'BEGIN { printf "  %-18s %6.2f %8.1f %9.1f  %s\n", n, 100 * d / hz / s, r / 1024, h / 1024, rec }'
done

r0b=$(records "$bport"); r0p=$(records "$pport")
for p in $pids; do t0[$p]=$(ticks "$p"); done
s0=$(date +%s%N)
"$O/selftests/bpf/nsflip" storm "$THREADS" "$FLIPS" >/dev/null 2>&1
s1=$(date +%s%N)
sleep 2	# the consumers catch up
for p in $pids; do t1[$p]=$(ticks "$p"); done
r1b=$(records "$bport"); r1p=$(records "$pport")
printf '\nstorm: %d threads x %d unshares, %.1f s   CPU s   RSS MiB  records\n' \
	"$THREADS" "$FLIPS" "$(awk -v a="$s0" -v b="$s1" 'BEGIN { print (b - a) / 1e9 }')"
for p in $agent $proca $trace; do
	case $p in
	"$agent") n="agent (bpf)"; rec=$((r1b - r0b)) ;;
	"$proca") n="agent (proc, 1 s)"; rec=$((r1p - r0p)) ;;
	*) n="nstaint trace"; rec=- ;;
	esac
	awk -v n="$n" -v d=$((t1[$p] - t0[$p])) -v hz="$HZ" -v r="$(kb "$p" VmRSS)" -v rec="$rec" \
		'BEGIN { printf "  %-18s %18.2f %8.1f  %s\n", n, d / hz, r / 1024, rec }'
done

# 10,000 threads: 100 processes, one tainted thread each.
mkfifo "$tmp/farm.in"
exec 9<>"$tmp/farm.in"
"$O/bench/ps/threadfarm" 100 10000 1 <&9 >"$tmp/farm.out" 2>&1 &
farm=$!
wait_line "$tmp/farm.out" '^ready'
sleep 2	# the agent's tracker has the new taints
/usr/bin/python3 - "$bport" "$SCRAPES" <<'PY'
import http.client, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
ms, size = [], 0
for _ in range(n):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    t = time.perf_counter()
    c.request("GET", "/metrics")
    body = c.getresponse().read()
    ms.append((time.perf_counter() - t) * 1000)
    size = len(body)
    c.close()
ms.sort()
print("\nscrape /metrics, 10,000 threads on the host (%d scrapes, %d bytes):" % (n, size))
print("  median %.2f ms  p95 %.2f ms  max %.2f ms" % (ms[n // 2], ms[int(n * 0.95) - 1], ms[-1]))
PY
awk '/^nstaint_tainted_threads / { print "  nstaint_tainted_threads", $2 }' \
	<(/usr/bin/python3 selftests/lib/httpget.py GET "http://127.0.0.1:$bport/metrics")
echo "  threads on the host: $(ps -eLf --no-headers | wc -l)"
