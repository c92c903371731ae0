#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""jcount.py FILE EXPR: how many JSON lines e of FILE make the Python
expression EXPR true.  Lines that are not JSON objects (a program's own
output mixed in) are skipped.  For the TAP shell selftests."""
import json
import sys

n = 0
with open(sys.argv[1], errors="replace") as f:
    for line in f:
        if not line.startswith("{"):
            continue
        e = json.loads(line)
        if eval(sys.argv[2], {}, {"e": e}):
            n += 1
print(n)
