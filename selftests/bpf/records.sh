# shellcheck shell=bash
# Helpers for the BPF selftests that read `nstaint trace --json` output.
# Source from the top of the tree, after scripts/tap.sh.

# jcount FILE PYEXPR: number of JSON lines e for which PYEXPR is true.
jcount() {
	python3 - "$1" "$2" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    if eval(sys.argv[2], {}, {"e": e}):
        n += 1
print(n)
PY
}
