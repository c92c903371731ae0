#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The fuzz targets of selftests/fuzz (docs/fuzz.md), two results each:
#  - "regress NAME": every input kept in selftests/fuzz/regress/NAME/ (each
#    once crashed, hung or broke an invariant of the unfixed parser) runs
#    through the target without a crash: the fix holds;
#  - "fuzz NAME": FUZZ_TIME seconds (default 15) of libFuzzer from the
#    seeds made at build time, plus the corpus grown by earlier runs in
#    build/fuzz/corpus/NAME, without a crash, a leak, a hang (-timeout) or
#    a broken invariant of the target.  A finding is saved in
#    build/fuzz/artifacts/ and named in the output.
# Run from the top of the tree.
set -u
. selftests/lib/testlib.sh

FUZZ_TIME=${FUZZ_TIME:-15}
# The targets built: build/fuzz/fuzz_NAME, one per FUZZ_NAMES of build.mk.
NAMES=$(cd "$O/fuzz" && ls fuzz_* | sed -n 's/^fuzz_\([a-z0-9_]*\)$/\1/p')
REGRESS=selftests/fuzz/regress
ART=$O/fuzz/artifacts
mkdir -p "$ART"

n=0
for name in $NAMES; do
	n=$((n + 1))
	[ -d "$REGRESS/$name" ] && n=$((n + 1))
done
plan $n

# show LOG: the lines of libFuzzer's report worth reading in the TAP log.
show() {
	grep -E 'ERROR|SUMMARY|==[0-9]+==|runtime error|Test unit written|#[0-9]+ +(DONE|INITED)|^ +#[0-9]+ ' "$1" |
		head -40 | sed 's/^/# /'
}

for name in $NAMES; do
	bin=$O/fuzz/fuzz_$name
	if [ -d "$REGRESS/$name" ]; then
		# What each kept input proves is in its directory's README.
		files=$(find "$REGRESS/$name" -type f ! -name README | sort)
		if "$bin" -runs=1 $files >"$TMP/$name.regress" 2>&1; then
			ok "regress $name ($(echo "$files" | wc -w) inputs)"
		else
			show "$TMP/$name.regress"
			not_ok "regress $name"
		fi
	fi
	corpus=$O/fuzz/corpus/$name
	mkdir -p "$corpus"
	# -timeout: one input taking longer is a hang; rss: a runaway
	# allocation.  New inputs go to the corpus, seeds stay as built.
	if "$bin" -max_total_time="$FUZZ_TIME" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$ART/$name-" \
		"$corpus" "$O/fuzz/seed/$name" >"$TMP/$name.fuzz" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$TMP/$name.fuzz")
		cov=$(grep -oE 'cov: [0-9]+' "$TMP/$name.fuzz" | tail -1)
		ok "fuzz $name (${FUZZ_TIME}s, ${runs:-?} runs, ${cov:-cov: ?})"
	else
		show "$TMP/$name.fuzz"
		not_ok "fuzz $name"
	fi
done
tap_done
