#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Every source of the module passes the kernel's checkpatch.pl --strict
# (from Debian's linux-source-6.1, extracted by make into build/checkpatch/).
# Runs on the host.
cd "$(dirname "$0")/../.." || exit 1
. scripts/tap.sh
files=$(ls kmod/*.c kmod/*.h |
	grep -v '\.mod\.c$')
plan $(echo $files | wc -w)
for f in $files; do
	out=$(perl build/checkpatch/checkpatch.pl --no-tree --strict --terse \
		--show-types -f "$f" 2>&1)
	if [ $? -ne 0 ] || echo "$out" | grep -qE '(ERROR|WARNING|CHECK):'; then
		not_ok "checkpatch --strict $f"
		echo "$out" | sed 's/^/# /'
	else
		ok "checkpatch --strict $f"
	fi
done
tap_done
