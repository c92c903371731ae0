#!/bin/bash
# bench/mnrace: each workload built plain, with clang's TSan and with
# mnrace (bench/mnrace/build.mk), each run in a fresh process, the three
# builds in turn, RUNS times.  Prints per workload the plain median wall
# time, the slowdowns (median / plain median) of TSan and mnrace and
# their ratio (m/t), the same of CPU time, and the median maximum RSS of
# each build; "ok" when mnrace is no slower than TSan (wall time) and
# uses no more memory.  A run that fails, or
# whose output differs from the plain build's, stops the benchmark.  The
# header says when, and the host's load average before and after, since
# the host is shared.  The measuring is bench/mnrace/measure.py.
#
# usage: bench/mnrace/run.sh [BUILD_DIR]     (RUNS=5 by default)
set -eu
O=${1:-build}
export RUNS=${RUNS:-5} BENCH=$O/bench/mnrace
# TSan sleeps a second at exit while other threads are alive (its
# atexit_sleep_ms, 1000 by default): libmn's runtime threads always are,
# and that second is no part of the detector's cost.
export TSAN_OPTIONS="${TSAN_OPTIONS:+$TSAN_OPTIONS:}atexit_sleep_ms=0"

# One line per workload: name, program (bench/mnrace/PROGRAM.c, built as
# PROGRAM.plain, .tsan, .mnrace), its arguments.
WORKLOADS="
mutex_heavy	pthreads	mutex_heavy
private_array	pthreads	private_array
malloc_heavy	pthreads	malloc_heavy
spawn_join	mnbench	spawn_join
pingpong	mnbench	pingpong_roundtrip
yield	mnbench	yield
mutex_uncontended	mnbench	mutex_uncontended
mutex_contended4	mnbench	mutex_contended4
chan_buffered	mnbench	chan_buffered
select4	mnbench	select4
timers_10k	mnbench	timers_10k
echo_1000	mnbench	echo_1000
access_heavy	mnbench	access_heavy
skynet_1M	mnbench	skynet_1M
"

load() { awk '{print $1, $2, $3}' /proc/loadavg; }
echo "# mnrace vs clang $(clang-19 --version | sed -n 's/.*version \([0-9.]*\).*/\1/p') TSan" \
     "on $(nproc) CPUs, median of $RUNS runs, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "# load average before: $(load)"
echo "$WORKLOADS" | python3 bench/mnrace/measure.py
echo "# load average after: $(load)"
