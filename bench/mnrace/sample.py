#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""bench/mnrace's sampling measurement (sample.sh runs it; RUNS, DRUNS,
BENCH in the environment, the workload table on stdin: run.sh's).

Part 1, cost: each workload run plain and with mnrace in four ways (no
option: full; sample=1%, 10%, 100%), RUNS times each, the builds taking
turns being first; each run a fresh process, wall time from spawn to
exit, CPU time (user + system) from wait4.  Prints the plain median and
the slowdown of each mnrace way (its median / the plain median), in wall
and in CPU time.  A run that fails or prints other than the plain build
did (for mnbench, which prints its own timings: other names) stops it.

Part 2, detection: racy.mnrace (one race made 100 times a run) DRUNS
times in each way, every run with its own seed (sample_seed unset: from
the clock); a run detects when it exits 66 with a data race report."""
import os
import statistics
import sys
import tempfile
import time

RUNS, DRUNS, BENCH = int(os.environ["RUNS"]), int(os.environ["DRUNS"]), os.environ["BENCH"]
TIMED = {"mnbench"}
# (column, build, MNRACE_OPTIONS or None)
WAYS = (("plain", "plain", None), ("full", "mnrace", None),
        ("1%", "mnrace", "sample=1%"), ("10%", "mnrace", "sample=10%"),
        ("100%", "mnrace", "sample=100%"))


def spawn(exe, args, options):
    """(wall s, cpu s, exit code, stdout, stderr) of one run of @exe."""
    env = dict(os.environ)
    env.pop("MNRACE_OPTIONS", None)
    if options:
        env["MNRACE_OPTIONS"] = options
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        pid = os.posix_spawn(exe, [exe] + args, env, file_actions=[
            (os.POSIX_SPAWN_DUP2, out.fileno(), 1), (os.POSIX_SPAWN_DUP2, err.fileno(), 2)])
        _, status, ru = os.wait4(pid, 0)
        wall = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        return (wall, ru.ru_utime + ru.ru_stime, os.waitstatus_to_exitcode(status),
                out.read(), err.read().decode(errors="replace"))


def same(prog, out, want):
    if prog in TIMED:
        return [l.split()[:1] for l in out.splitlines()] == [l.split()[:1] for l in want.splitlines()]
    return out == want


def cost(table):
    cols = [w[0] for w in WAYS[1:]]
    print("%-17s %8s  %s   cpu: %s" % ("workload", "plain ms", " ".join("%6s x" % c for c in cols),
                                      " ".join("%6s x" % c for c in cols)))
    ratios = {c: [] for c in cols}
    cratios = {c: [] for c in cols}
    for line in table:
        if not line.strip():
            continue
        name, prog, *args = line.split()
        want = spawn(os.path.join(BENCH, prog + ".plain"), args, None)[3]
        wall = {w[0]: [] for w in WAYS}
        cpu = {w[0]: [] for w in WAYS}
        for r in range(RUNS):
            for i in range(len(WAYS)):
                col, build, opt = WAYS[(r + i) % len(WAYS)]
                t, c, code, out, err = spawn(os.path.join(BENCH, "%s.%s" % (prog, build)), args, opt)
                if code or not same(prog, out, want):
                    sys.exit("sample.sh: %s.%s %s (%s) exited %d, printed %r: %s" % (
                        prog, build, " ".join(args), opt, code, out[-200:], err[-800:]))
                wall[col].append(t)
                cpu[col].append(c)
        m = {c: statistics.median(v) for c, v in wall.items()}
        mc = {c: statistics.median(v) for c, v in cpu.items()}
        for c in cols:
            ratios[c].append(m[c] / m["plain"])
            cratios[c].append(mc[c] / mc["plain"])
        print("%-17s %8.1f  %s        %s" % (name, m["plain"] * 1000,
                                            " ".join("%8.2f" % (m[c] / m["plain"]) for c in cols),
                                            " ".join("%8.2f" % (mc[c] / mc["plain"]) for c in cols)))
    print("%-17s %8s  %s        %s" % ("geometric mean", "",
                                       " ".join("%8.2f" % statistics.geometric_mean(ratios[c]) for c in cols),
                                       " ".join("%8.2f" % statistics.geometric_mean(cratios[c]) for c in cols)))


def detection():
    exe = os.path.join(BENCH, "racy.mnrace")
    print("# racy: one race made 100 times a run; runs that report it, of %d, each with "
          "a seed of its own" % DRUNS)
    for col, build, opt in WAYS[1:]:
        hits = 0
        for _ in range(DRUNS):
            _, _, code, _, err = spawn(exe, [], opt)
            if code not in (0, 66):
                sys.exit("sample.sh: racy.mnrace (%s) exited %d: %s" % (opt, code, err[-800:]))
            hits += code == 66 and "WARNING: mnrace: data race" in err
        print("%-6s %3d/%d  %5.1f%%" % (col, hits, DRUNS, 100.0 * hits / DRUNS))


cost(sys.stdin.read().splitlines())
detection()
