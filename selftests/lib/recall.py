#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""recall.py OUT SYSCALL: how many of the user tasks that a ground-truth
program (selftests/go/sockns, mnleak calls) found in the wrong namespace
nstaint named at that system call.

OUT mixes the program's lines ("poisoned tid=T" or "tainted ... tid=T";
"wrong goid=G" / "wrong task=G" per task whose call the kernel ran in the
leaked namespace, "right ..." per task whose call ran at home) with
`nstaint trace --json` records.  Prints "wrong named extra": wrong is the
kernel's count, named how many of those a task_on_tainted_thread record
for SYSCALL on thread T names, extra how many of the tasks the kernel says
ran at home such a record names (false positives)."""
import json
import re
import sys

truth = {'wrong': set(), 'right': set()}
named, tid = set(), None
for line in open(sys.argv[1]):
    if line.startswith('{'):
        e = json.loads(line)
        if (e['event'] == 'task_on_tainted_thread' and
                e.get('syscall') == sys.argv[2]):
            named.add((e['tid'], e['task_id']))
        continue
    m = re.match(r'(wrong|right) (goid|task)=(\d+)$', line)
    if m:
        truth[m.group(1)].add(int(m.group(3)))
    m = re.match(r'(poisoned|tainted) .*\btid=(\d+)', line)
    if m and tid is None:
        tid = int(m.group(2))
on_tid = {g for t, g in named if t == tid}
print(len(truth['wrong']), len(truth['wrong'] & on_tid),
      len({g for _, g in named} & truth['right']))
