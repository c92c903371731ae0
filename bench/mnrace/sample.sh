#!/bin/bash
# bench/mnrace, sampling: in one run, every workload of run.sh's table
# plain, with full mnrace and with MNRACE_OPTIONS=sample=1%, 10%, 100%,
# each RUNS times in a fresh process (the medians' ratios against
# plain), then how many of DRUNS runs of racy.c (one race made 100 times)
# each way reports the race.  The header says when and the host's load
# before and after: the host is shared.  The measuring is
# bench/mnrace/sample.py; the builds are bench/mnrace/build.mk's.
#
# usage: bench/mnrace/sample.sh [BUILD_DIR]     (RUNS=5, DRUNS=20 by default)
set -eu
O=${1:-build}
export RUNS=${RUNS:-5} DRUNS=${DRUNS:-20} BENCH=$O/bench/mnrace

# run.sh's table, the one list of workloads: its lines between
# WORKLOADS=" and the closing quote.
table=$(sed -n '/^WORKLOADS="/,/^"/{/^WORKLOADS="/d;/^"/d;p}' bench/mnrace/run.sh)

load() { awk '{print $1, $2, $3}' /proc/loadavg; }
echo "# mnrace sampling on $(nproc) CPUs, median of $RUNS runs, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "# load average before: $(load)"
echo "$table" | python3 bench/mnrace/sample.py
echo "# load average after: $(load)"
