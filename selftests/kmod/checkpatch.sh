#!/bin/bash
# The module's sources pass the kernel's checkpatch.pl (from Debian's
# linux-source-6.1, extracted by `make` into build/checkpatch/).
cd "$(dirname "$0")/../.." || exit 1
. scripts/tap.sh
files=$(ls kmod/*.c kmod/*.h 2>/dev/null | grep -v "\.mod\.c$")
plan $(echo "$files" | wc -w)
for f in $files; do
	out=$(perl build/checkpatch/checkpatch.pl --no-tree --strict --terse \
		--show-types -f "$f" 2>&1)
	if echo "$out" | grep -qE '(ERROR|WARNING|CHECK):'; then
		not_ok "checkpatch $f"
		echo "$out" | sed 's/^/# /'
	else
		ok "checkpatch $f"
	fi
done
tap_done
