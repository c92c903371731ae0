#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""bench/mnrace's measurement (run.sh feeds it the workload table on
stdin; RUNS and BENCH in the environment).  Each run is a fresh process:
wall time from spawn to exit, CPU time (user + system) and maximum RSS
from wait4 (maxrss.c).  The slowdowns are of wall time; those of CPU
time are printed too, since other processes on a shared host stretch
wall time more than the CPU time a run needs.  The three builds
take turns being first.  Every build must exit 0 and print what the
plain build printed (the same work was done)."""
import os
import statistics
import sys
import tempfile
import time

RUNS, BENCH = int(os.environ["RUNS"]), os.environ["BENCH"]
# Programs that print their own timings ("name value unit" lines): only
# the names must match the plain build's.
TIMED = {"mnbench"}
BUILDS = ("plain", "tsan", "mnrace")
MAXRSS = os.path.join(BENCH, "maxrss")


def run(exe, args):
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile() as kib:
        argv = [MAXRSS, kib.name, exe] + args
        t0 = time.perf_counter()
        pid = os.posix_spawn(MAXRSS, argv, os.environ, file_actions=[
            (os.POSIX_SPAWN_DUP2, out.fileno(), 1), (os.POSIX_SPAWN_DUP2, err.fileno(), 2)])
        _, status = os.waitpid(pid, 0)
        t = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        code = os.waitstatus_to_exitcode(status)
        if code:
            sys.exit("run.sh: %s %s exited %d: %s" % (exe, " ".join(args), code,
                                                     err.read().decode(errors="replace")[-800:]))
        rss, cpu = kib.read().split()
        return t, int(rss) / 1024, float(cpu), out.read()


rows = []
for line in sys.stdin:
    if not line.strip():
        continue
    name, prog, *args = line.split()
    wall = {b: [] for b in BUILDS}
    cpu = {b: [] for b in BUILDS}
    rss = {b: [] for b in BUILDS}
    want = run(os.path.join(BENCH, prog + ".plain"), args)[3]
    for r in range(RUNS):
        for i in range(len(BUILDS)):
            b = BUILDS[(r + i) % len(BUILDS)]
            t, m, c, out = run(os.path.join(BENCH, "%s.%s" % (prog, b)), args)
            if (out != want if prog not in TIMED else
                    [l.split()[:1] for l in out.splitlines()] !=
                    [l.split()[:1] for l in want.splitlines()]):
                sys.exit("run.sh: %s.%s %s printed %r, the plain build %r" % (
                    prog, b, " ".join(args), out, want))
            wall[b].append(t)
            cpu[b].append(c)
            rss[b].append(m)
    rows.append((name, prog, wall, cpu, rss))

print("%-14s %8s %7s %8s %7s %8s %7s %8s %9s %7s %7s  %s" % (
    "workload", "plain ms", "tsan x", "mnrace x", "m/t", "cpu: tsan x", "mnrace x", "m/t",
    "RSS plain", "tsan", "mnrace", "target"))
libmn = []
for name, prog, wall, cpu, rss in rows:
    m = {b: statistics.median(wall[b]) for b in BUILDS}
    c = {b: statistics.median(cpu[b]) for b in BUILDS}
    r = {b: statistics.median(rss[b]) for b in BUILDS}
    st, sm = m["tsan"] / m["plain"], m["mnrace"] / m["plain"]
    ct, cm = c["tsan"] / c["plain"], c["mnrace"] / c["plain"]
    ok = sm <= st and r["mnrace"] <= r["tsan"]
    print("%-14s %8.1f %7.2f %8.2f %7.2f %11.2f %8.2f %7.2f %8.1fM %6.1fM %6.1fM  %s" % (
        name, m["plain"] * 1000, st, sm, sm / st, ct, cm, cm / ct,
        r["plain"], r["tsan"], r["mnrace"], "ok" if ok else "MISSED"))
    if prog == "mnbench":
        libmn.append((sm / st, cm / ct))
if libmn:
    g = statistics.geometric_mean([w for w, _ in libmn])
    gc = statistics.geometric_mean([c for _, c in libmn])
    print("libmn workloads: geometric mean of mnrace/TSan slowdown %.2f in wall time, "
          "%.2f in CPU time (target <= 0.70: %s)"
          % (g, gc, "ok" if max(g, gc) <= 0.70 else "MISSED"))
