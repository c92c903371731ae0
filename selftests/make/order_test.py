#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""The build does not depend on the order in which the Makefile includes
the parts' build.mk fragments.

make itself is the oracle: its rule database (make -p -n all: every target
it would consider and its prerequisites) and the lists the fragments fill
(ALL, TESTS, VM_*) must be the same whether the fragments come in their
usual sorted order, reversed, or rotated.  A fragment that expands another
fragment's variable too early gets an empty value in one of the orders, and
a prerequisite silently disappears (issue 10, #4: gosym_test lost the
stripped Go binaries that selftests/go/build.mk defines).  Runs from the
top of the tree; reads only, builds nothing."""
import glob
import os
import re
import subprocess
import sys

os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
# Not the jobserver or flags of a `make check` that runs us.
ENV = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
LISTS = ("ALL", "TESTS", "VM_TESTS", "VM_SCRIPTS", "VM_FILES")

fragments = sorted(glob.glob("*/build.mk") + glob.glob("*/*/build.mk"))
half = len(fragments) // 2
orders = {
    "reversed": fragments[::-1],
    "rotated": fragments[half:] + fragments[:half],
}


def make(order, *args):
    cmd = ["make", "--no-print-directory", "-R", "-r", "BUILD_MK=" + " ".join(order), *args]
    p = subprocess.run(cmd, env=ENV, capture_output=True, text=True)
    if p.returncode:
        sys.stdout.write("# " + " ".join(cmd) + " failed:\n")
        sys.stdout.write("".join("# " + l + "\n" for l in p.stderr.splitlines()[-5:]))
        return None
    return p.stdout


def rules(order):
    """target -> set of prerequisites, from make's printed database."""
    out = make(order, "-p", "-n", "all")
    if out is None:
        return None
    db, in_files = {}, False
    for line in out.splitlines():
        if line.startswith("# Files"):
            in_files = True
        elif line.startswith("# files hash-table stats"):
            in_files = False
        elif in_files and line and line[0] not in "#\t ":
            m = re.match(r"^(.+?)::?(?:\s+(.*))?$", line)
            # "target: VAR = value" is a target-specific variable, not a rule.
            if m and not re.search(r"(^|\s)\S*[:+?!]?=", m.group(2) or ""):
                db.setdefault(m.group(1), set()).update((m.group(2) or "").split())
    return db


def lists(order):
    """Each of LISTS as a set of words, as make expands it at the end."""
    recipe = "@" + "".join("echo '%s:' $(%s);" % (v, v) for v in LISTS)
    out = make(order, "--eval=order-test-print: ; " + recipe, "order-test-print")
    if out is None:
        return None
    return {l.split(":")[0]: set(l.split()[1:]) for l in out.splitlines() if ":" in l}


def differences(a, b):
    if a is None or b is None:
        return ["make failed"]
    return ["%s: only in sorted order %s, only in the other %s" %
            (k, sorted(a.get(k, set()) - b.get(k, set())), sorted(b.get(k, set()) - a.get(k, set())))
            for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]


n = 0
failed = False


def check(name, problems):
    global n, failed
    n += 1
    if problems:
        failed = True
        print("not ok %d %s" % (n, name))
        for p in problems[:20]:
            print("# " + p)
    else:
        print("ok %d %s" % (n, name))


print("TAP version 13")
print("1..%d" % (1 + 2 * len(orders)))
base_rules, base_lists = rules(fragments), lists(fragments)
# The instance the review found: gosym_test runs the stripped Go builds.
gosym = (base_rules or {}).get("build/selftests/bpf/gosym_test", set())
check("gosym_test depends on the stripped Go binaries",
      ["missing " + f for f in ("build/selftests/go/leak-stripped", "build/selftests/go/cgoleak-stripped")
       if f not in gosym])
for name, order in orders.items():
    check("rule database the same with the fragments %s" % name, differences(base_rules, rules(order)))
    check("ALL, TESTS and VM_* the same with the fragments %s" % name, differences(base_lists, lists(order)))
sys.exit(1 if failed else 0)
