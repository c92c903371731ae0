#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""TSan's own test suite (compiler-rt/test/tsan) run under mnrace.

The sources come from Debian's llvm-toolchain-19 source package, fetched at
build time by scripts/tsan-tests.sh (never kept in our tree).  A test is
eligible when
  * lit would run it here and expect it to pass (its REQUIRES, UNSUPPORTED
    and XFAIL expressions evaluated for FEATURES and TARGET below),
  * its RUN lines are only builds with %clang_tsan/%clangxx_tsan and runs
    of that binary piped into FileCheck (no TSan options, no shared
    libraries, no shell steps),
  * its CHECK lines ask for no part of TSan's reports that mnrace does
    not make (NOT_MADE), its race is not inside libc and its report does not
    differ from mnrace's in another way (BY_NAME),
  * the calls it makes -- the undefined symbols of its object file, built
    with mnrace-cc -- are only pthreads, semaphores, atomics, the malloc
    family, memcpy/memmove/memset, the compiler pass's own entry points
    and the barrier of test.h, plus printing, exit and sleeping (ALLOWED
    below), and it defines none of the hooks TSan's runtime calls.
Everything else is excluded and listed with the first reason that applies.

Each eligible test is built as its RUN line says, with build/mnrace-cc or
mnrace-c++ in place of clang -fsanitize=thread, run once, and judged by
lit's rules with the test's own CHECK lines and LLVM's FileCheck as the
oracle: `%run %t | FileCheck` needs exit status 0 (lit's pipefail),
`not %run` a non-zero status, `%deflake %run` (run until a report, at most
10 times under TSan) a report in the one run mnrace gets.  mnrace's words
are put back into TSan's before FileCheck reads them (translate()): mnrace
for ThreadSanitizer, task 1 for the main thread, task N for thread T(N-1).

TAP: one line per eligible test; the excluded ones as comments; a summary.
Usage: tsan_suite.py [TEST...] (names as in the suite, e.g. simple_race.c).
Environment: MNRACE_TSAN_TESTS (the fetched tree), MNRACE_BUILD (build/),
FILECHECK, MNRACE_TSAN_JOBS (2)."""
import concurrent.futures
import os
import re
import shlex
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
# Installed as build/selftests/mnrace/tsan_suite_test: build/ is two up.
BUILD = os.environ.get("MNRACE_BUILD", os.path.normpath(os.path.join(HERE, "..", "..")))
SUITE = os.environ.get("MNRACE_TSAN_TESTS", os.path.join(BUILD, "tsan-tests"))
TSAN = os.path.join(SUITE, "compiler-rt", "test", "tsan")
FILECHECK = os.environ.get("FILECHECK", "/usr/lib/llvm-19/bin/FileCheck")
JOBS = int(os.environ.get("MNRACE_TSAN_JOBS", "2"))
# A guard against a hung test, not a timed assertion: the slowest passing
# test takes a few seconds.
HANG = 120

# What an eligible test may call (regular expressions over the undefined
# symbols of its object).  Printing, exit and sleeping are the tests'
# scaffolding; sleeping orders nothing for a race detector.
ALLOWED = [re.compile("^(%s)$" % p) for p in (
    # the compiler pass (mnrace implements all of these)
    r"__tsan_(init|func_entry|func_exit|(unaligned_)?(read|write)(1|2|4|8|16)"
    r"|mem(cpy|move|set)|atomic(8|16|32|64|128)_\w+|atomic_(thread|signal)_fence"
    r"|vptr_(read|update)|testonly_barrier_(init|wait))",
    # pthreads and semaphores
    r"pthread_(create|join|tryjoin_np|timedjoin_np|detach|exit|self|equal|once"
    r"|attr_(init|destroy|setdetachstate|setstacksize)"
    r"|(mutex|rwlock|cond|barrier|spin)_[a-z]+|mutexattr_(init|destroy|settype))",
    r"sem_(init|destroy|post|wait|trywait|timedwait|clockwait)",
    # the malloc family and C++'s new and delete
    r"malloc|calloc|realloc|free|posix_memalign|aligned_alloc|memalign|valloc",
    r"_Z(nw|na|dl|da)[a-zA-Z0-9_]*",
    r"memcpy|memmove|memset",
    # scaffolding: output, exit, time (test.h), sleeping
    r"stdout|stderr|printf|fprintf|puts|fputs|fputc|putchar|fwrite|fflush",
    r"exit|_exit|abort|__assert_fail|atoi|clock_gettime|sleep|usleep|sched_yield",
    # the C++ ABI every C++ object references (unwinding, static
    # destructors, the type information of classes with virtual functions)
    r"_Unwind_Resume|__gcc_personality_v0|__gxx_personality_v0|__cxa_atexit|__dso_handle"
    r"|__cxa_begin_catch|_ZSt9terminatev|_ZTVN10__cxxabiv1\d+__\w+_type_infoE",
)]

# What a test's CHECK lines may expect of the report.  mnrace reports
# data races and uses after free in TSan's format; these parts of TSan's
# reports it does not make (docs/mnrace.md), so a test that checks them is
# excluded rather than failed.  (reason, regular expression over one
# positive CHECK line)
NOT_MADE = [
    ("a TSan report of another kind", re.compile(
        r"ThreadSanitizer: (?!(data race|heap-use-after-free)\s*($|\{\{|\(pid)|reported )[a-z]")),
    # An interceptor's frame is made (free, __tsan_memcpy, malloc,
    # pthread_create, operator new...); memcmp and sleep are not intercepted.
    ("frames of interceptors mnrace does not have", re.compile(
        r"#\S*\s+(\{\{[^}]*\}\})?sleep\b|memcmp|cxa_at_exit_callback")),
    ("TSan's mutex lines (the mutexes held)", re.compile(r"Mutex (M|\[\[|\{\{)|\(mutexes:")),
    ("TSan's 'As if synchronized via sleep' note", re.compile(r"As if synchronized via sleep")),
    ("a frame past the 64 mnrace prints", re.compile(r"#(6[4-9]|[7-9]\d|\d{3,})\b")),
]
# Tests whose race is inside libc, which mnrace does not check (stdio),
# or whose report differs from mnrace's in a way NOT_MADE cannot see.
BY_NAME = {
    "free_race3.c": "checks free's write as of size 8 (TSan's one conflicting cell); "
                    "mnrace's report names the range free checked (the block's first KiB)",
    "race_on_heap.cpp": "checks the creation stack of the task that allocated the block, "
                        "which mnrace prints only for the two racing tasks",
    "race_on_fputs.cpp": "the race is inside fputs(); mnrace does not check stdio",
    "race_on_puts.cpp": "the race is inside puts(); mnrace does not check stdio",
}

COMPILE = re.compile(r"^%clang(xx)?_tsan\s+(.*)$")
RUN = re.compile(r"^(?:(%deflake|not)\s+)?%run\s+%t((?:\s+[\w.=-]+)*?)\s*(2>&1)?\s*\|\s*FileCheck\s+(.*)$")


def directives(text):
    """RUN lines joined at trailing backslashes, and lit's conditions."""
    runs, cur = [], ""
    for m in re.finditer(r"^\s*//\s*RUN:\s?(.*)$", text, re.M):
        line = m.group(1).rstrip()
        if line.endswith("\\"):
            cur += line[:-1] + " "
            continue
        runs.append((cur + line).strip())
        cur = ""
    conds = {k: re.findall(r"^\s*//\s*%s:\s*(.*)$" % k, text, re.M)
             for k in ("REQUIRES", "UNSUPPORTED", "XFAIL")}
    return runs, conds


# What lit would know of this machine: its features and target triple.
FEATURES = {"linux", "x86_64-target-arch", "glibc"} | {"glibc-2.%d" % v for v in range(19, 37)}
TARGET = "x86_64-pc-linux-gnu"


def lit_true(expr):
    """A lit boolean expression (features, target={{regex}}, !, &&, ||, ())."""
    out = []
    for tok in re.findall(r"target=\{\{.*?\}\}\S*|&&|\|\||!|\(|\)|[^\s()!&|]+", expr):
        if tok.startswith("target="):
            # literal text outside {{ }}, a regular expression inside
            pat = "".join(re.escape(p) if i % 2 == 0 else p
                          for i, p in enumerate(re.split(r"\{\{(.*?)\}\}", tok[7:])))
            out.append(str(re.fullmatch(pat, TARGET) is not None))
        else:
            out.append({"&&": "and", "||": "or", "!": "not"}.get(tok, tok)
                       if tok in ("&&", "||", "!", "(", ")") else str(tok == "*" or tok in FEATURES))
    return eval(" ".join(out), {"__builtins__": {}})


def lit_excludes(conds):
    """Why lit would not run the test here (or expects it to fail), or None."""
    for req in conds["REQUIRES"]:
        for e in (x.strip() for x in req.split(",")):
            if not lit_true(e):
                return "lit: REQUIRES %s" % e
    for kind in ("UNSUPPORTED", "XFAIL"):
        for cond in conds[kind]:
            for e in (x.strip() for x in cond.split(",")):
                if lit_true(e):
                    return "lit: %s: %s" % (kind, e)
    return None


def checks_excludes(text):
    """Why the test's own CHECK lines ask for what mnrace does not make, or None."""
    for m in re.finditer(r"^\s*//\s*(CHECK[\w-]*):\s*(.*)$", text, re.M):
        if m.group(1).endswith("-NOT"):
            continue
        for why, pat in NOT_MADE:
            if pat.search(m.group(2)):
                return "checks %s: %s" % (why, m.group(2).strip())
    return None


def parse_steps(runs):
    """[('build', cxx, flags, out) | ('run', mode, args, stderr, fcargs)] or a reason."""
    steps = []
    for line in runs:
        for cmd in (c.strip() for c in line.split("&&")):
            m = COMPILE.match(cmd)
            if m:
                words = shlex.split(m.group(2))
                if "%s" not in words or "-o" not in words:
                    return "RUN line builds something else: %s" % cmd
                i = words.index("-o")
                out = words[i + 1]
                flags = [w for j, w in enumerate(words)
                         if w not in ("%s", "%link_libcxx_tsan") and j not in (i, i + 1)]
                bad = [w for w in flags if "%" in w or w in ("-shared", "-fPIC")]
                if out != "%t" or bad:
                    return "RUN line builds with %s" % " ".join(bad or [out])
                steps.append(("build", bool(m.group(1)), flags, out))
                continue
            m = RUN.match(cmd)
            if m:
                fc = shlex.split(m.group(4))
                if "%s" not in fc or any("%" in w and w != "%s" for w in fc):
                    return "RUN line checks with FileCheck %s" % m.group(4)
                steps.append(("run", m.group(1) or "", m.group(2).split(), bool(m.group(3)), fc))
                continue
            return "RUN line: %s" % cmd
    if not any(s[0] == "build" for s in steps) or not any(s[0] == "run" for s in steps):
        return "RUN lines neither build nor run"
    return steps


def compiler(cxx):
    return [os.path.join(BUILD, "mnrace-c++" if cxx else "mnrace-cc")] + \
        (["-std=c++11"] if cxx else [])


def build(src, cxx, flags, obj, exe):
    """Object first (its symbols decide eligibility), then the program:
    None when built, else (None, why) excluded or (False, why) failed."""
    inc = ["-I" + os.path.dirname(TSAN), "-Wall"]
    r = subprocess.run(compiler(cxx) + flags + inc + ["-c", src, "-o", obj],
                       capture_output=True, text=True)
    if r.returncode:
        return False, "build failed: %s" % r.stderr.strip().splitlines()[-1:]
    undef = subprocess.run(["nm", "-u", obj], capture_output=True, text=True, check=True)
    calls = sorted({ln.split()[-1] for ln in undef.stdout.splitlines() if ln.strip()})
    other = [s for s in calls if not any(a.match(s) for a in ALLOWED)]
    if other:
        return None, "calls " + " ".join(other[:6]) + (" ..." if len(other) > 6 else "")
    # A hook TSan's runtime calls back (__tsan_default_options, ...).
    defined = subprocess.run(["nm", "--defined-only", obj], capture_output=True, text=True,
                             check=True)
    hooks = sorted({ln.split()[-1] for ln in defined.stdout.splitlines()
                    if re.search(r" (__tsan_|__sanitizer_)\w+$", ln)})
    if hooks:
        return None, "defines TSan's hook " + " ".join(hooks)
    r = subprocess.run(compiler(cxx) + flags + [obj, "-o", exe], capture_output=True, text=True)
    if r.returncode:
        return False, "link failed: %s" % r.stderr.strip().splitlines()[-1:]
    return None


def translate(out):
    """mnrace's words back into TSan's, so the test's CHECK lines apply."""
    def who(n):
        return "main thread" if n == "1" else "thread T%d" % (int(n) - 1)

    out = re.sub(r"\bmnrace: ", "ThreadSanitizer: ", out)
    out = re.sub(r"\b(by|allocated by|created by|stack of|TLS of) task (\d+)",
                 lambda m: "%s %s" % (m.group(1), who(m.group(2))), out)
    out = re.sub(r"^  Task (\d+) \((running on|finished, ran on) thread (\d+)\)",
                 lambda m: "  Thread T%d (tid=%s, %s)" % (
                     int(m.group(1)) - 1, m.group(3),
                     "running" if m.group(2) == "running on" else "finished"),
                 out, flags=re.M)
    return out


def run_test(name):
    """(True|False, message) for an eligible test, (None, reason) if excluded."""
    src = os.path.join(TSAN, name)
    with open(src, encoding="utf-8", errors="replace") as f:
        text = f.read()
    runs, conds = directives(text)
    why = lit_excludes(conds)
    if why:
        return None, why
    steps = parse_steps(runs)
    if isinstance(steps, str):
        return None, steps
    why = checks_excludes(text) or BY_NAME.get(name)
    if why:
        return None, why
    with tempfile.TemporaryDirectory(prefix="tsan-") as tmp:
        exe = os.path.join(tmp, "t")
        for step in steps:
            if step[0] == "build":
                verdict = build(src, step[1], step[2], os.path.join(tmp, "t.o"), exe)
                if verdict:
                    return verdict
                continue
            _, mode, args, with_stderr, fcargs = step
            try:
                r = subprocess.run([exe] + args, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT if with_stderr or mode == "%deflake"
                                   else subprocess.DEVNULL,
                                   timeout=HANG, cwd=tmp)
            except subprocess.TimeoutExpired:
                return False, "hung (killed after %ds)" % HANG
            out = r.stdout.decode(errors="replace")
            if mode == "" and r.returncode != 0:
                return False, "exited %d, the test expects 0" % r.returncode + tail(out)
            if mode and r.returncode == 0:
                return False, "exited 0, the test expects a report (%s)" % mode + tail(out)
            if r.returncode < 0:
                return False, "killed by signal %d" % -r.returncode + tail(out)
            fc = subprocess.run([FILECHECK] + [src if w == "%s" else w for w in fcargs],
                                input=translate(out), capture_output=True, text=True)
            if fc.returncode:
                return False, "FileCheck: " + first_error(fc.stderr) + tail(out)
    return True, ""


def tail(out):
    lines = out.strip().splitlines()
    return "".join("\n#   | " + ln for ln in lines[:40])


def first_error(err):
    for ln in err.splitlines():
        if "error:" in ln:
            return ln.split("error:", 1)[1].strip()
    return err.strip()[:200]


def main(argv):
    for path, what in ((TSAN, "the tsan tests (make %s/tsan-tests)" % BUILD),
                       (FILECHECK, "FileCheck (package llvm-19-tools, scripts/deps.sh)")):
        if not os.path.exists(path):
            print("Bail out! tsan_suite: no %s: %s" % (path, what))
            return 1
    names = argv or sorted(n for n in os.listdir(TSAN) if n.endswith((".c", ".cpp")))
    names += [] if argv else sorted(os.path.join("Linux", n) for n in os.listdir(
        os.path.join(TSAN, "Linux")) if n.endswith((".c", ".cpp")))
    with concurrent.futures.ThreadPoolExecutor(JOBS) as pool:
        results = list(pool.map(run_test, names))
    ran = [(n, r) for n, r in zip(names, results) if r[0] is not None]
    excluded = [(n, r[1]) for n, r in zip(names, results) if r[0] is None]
    print("TAP version 13")
    print("1..%d" % len(ran))
    for i, (n, (ok, msg)) in enumerate(ran, 1):
        print("%s %d %s%s" % ("ok" if ok else "not ok", i, n, " # " + msg if msg else ""))
    for n, why in excluded:
        print("# excluded %s: %s" % (n, why))
    passed = sum(1 for _, r in ran if r[0])
    print("# tsan suite (%s): %d tests, %d eligible and run, %d passed, %d failed, %d excluded"
          % (open(os.path.join(SUITE, "VERSION")).read().strip() if os.path.exists(
              os.path.join(SUITE, "VERSION")) else "?", len(names), len(ran), passed,
             len(ran) - passed, len(excluded)))
    return 0 if passed == len(ran) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
