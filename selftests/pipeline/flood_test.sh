#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The pipeline's queue under a flood larger than it (docs/trace.md, The
# pipeline): `nstaint trace --json` with a 16-record queue writes into a
# pipe nobody reads until the traced storm (nsflip storm 8 x 2000) is
# over, so the decoder is stuck in write() and the drain thread's queue
# overflows.  Oracle: nsflip's own count of namespace changes.  Records
# delivered plus those reported lost must equal what was produced, the
# queue's share being `lost` records of stage queue, and the summary on
# stderr must give the same totals per stage.  The queue was full when
# the decoder got going again, so the records it took off above the
# high-water mark (three quarters of 16) carry their stacks raw
# (addresses, no lookup) rather than being dropped, as many as the
# summary counts.  Run from the top of the tree as root.
set -u
. scripts/tap.sh

O=${O:-build}
NSTAINT=$O/nstaint
NSFLIP=$O/selftests/bpf/nsflip
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

plan 6

# The reader starts reading only once nsflip has printed its count, i.e.
# once the storm is over; until then trace's writes block.
NSTAINT_QUEUE_LEN=16 timeout 300 $NSTAINT trace --json -- \
	sh -c "$NSFLIP storm 8 2000 >$TMP/storm.out" 2>"$TMP/err" | {
	for _ in $(seq 1200); do
		grep -qs '^storm threads=' "$TMP/storm.out" && break
		sleep 0.1
	done
	cat >"$TMP/json"
}
rc=${PIPESTATUS[0]}
changes=$(sed -n 's/^storm threads=8 changes=//p' "$TMP/storm.out")
sums=$(python3 - "$TMP/json" <<'PY'
import json, sys
n = 0
lost = {'kernel': 0, 'queue': 0}
bad = 0
raw = 0          # records with a raw stack
rawbad = 0       # ... that show a symbol anyway, or no frame
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e['event'] == 'lost':
        if e.get('stage') not in lost:
            bad += 1
            continue
        lost[e['stage']] += e['count']
        if e['stage'] == 'queue' and e.get('reason') != 'queue_full':
            bad += 1
    else:
        n += 1
        if e.get('stack_raw'):
            raw += 1
            fr = e.get('stack', [])
            if not fr or any(set(f) != {'addr'} for f in fr):
                rawbad += 1
print(n, lost['kernel'], lost['queue'], bad, raw, rawbad)
PY
)
read -r delivered lkernel lqueue bad raw rawbad <<<"${sums:-x x x x x x}"
summary=$(sed -n 's/^nstaint trace: lost by stage: kernel \([0-9]*\), user queue \([0-9]*\);.*/\1 \2/p' "$TMP/err")
sumraw=$(sed -n 's/^nstaint trace: lost by stage: .*; \([0-9]*\) stacks not symbolized.*/\1/p' "$TMP/err")
diag "rc=$rc changes=${changes:-?} delivered=$delivered lost kernel=$lkernel queue=$lqueue; summary: ${summary:-none}; raw stacks $raw ($rawbad with symbols), summary ${sumraw:-none}"
check "flood: trace and the storm end normally" \
	[ "$rc" -eq 0 -a -n "${changes:-}" ]
check "flood: the queue overflowed, reported as lost records of stage queue" \
	[ "${lqueue:-0}" -gt 0 -a "${bad:-1}" -eq 0 ]
check "flood: delivered + lost == changes + 8 tainted + 8 exits" \
	[ $((delivered + lkernel + lqueue)) -eq $((${changes:-0} + 16)) ]
check "flood: the summary's loss by stage equals the lost records'" \
	[ "$summary" = "$lkernel $lqueue" ]
check "flood: above high water stacks are passed on raw, addresses only" \
	[ "${raw:-0}" -ge 1 -a "${rawbad:-1}" -eq 0 ]
check "flood: the summary counts every raw stack" \
	[ "${sumraw:-x}" = "${raw:-y}" ]
tap_done
