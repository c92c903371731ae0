#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""jcount.py FILE EXPR: how many JSON lines e of FILE make the Python
expression EXPR true.  Lines that are not JSON objects (a traced program's
own output) are ignored.  In EXPR, frames(e) is the list of (func, file
basename, line) of e's symbolized user stack."""
import json
import os
import sys


def frames(e):
    return [(f.get('func'), os.path.basename(f.get('file', '')), f.get('line'))
            for f in e.get('stack', [])]


n = 0
with open(sys.argv[1]) as f:
    for line in f:
        if not line.startswith('{'):
            continue
        e = json.loads(line)
        if eval(sys.argv[2], {'frames': frames}, {'e': e}):
            n += 1
print(n)
