#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# mnrace on pthread programs (selftests/mnrace/progs): every racy variant
# is reported once, with exit status 66, at the two lines marked in its
# source ("mark:first" the earlier access, "mark:second" the later one);
# the oracle is the source itself (grep -n of the marks), not mnrace.
# Every race-free twin exits 0 with no report.  Then the location lines,
# the history limit, the options, and the link (no libtsan).
# Run from the top of the tree.
set -u
. scripts/tap.sh

O=${O:-build}
P=$O/selftests/mnrace/progs
SRC=selftests/mnrace/progs
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

EDGES="create join mutex spin rwlock cond barrier sem once atomic rmw annotate clock semclock cxx"
# What races at all: reads with reads, atomics with atomics, a thread
# with one that ended before it started.
KINDS="readers mixed fork after slotowner barrierdestroy"
MEMORY="heap free uaf stack tls global memcpy memset io unaligned history"
# libmn (progs/mn_*.c, progs/mntest.h): each edge of libmn, and the
# seed's race patterns (progs/seed_*.c), each at MN_PROCS=1 (every task
# on one thread) and MN_PROCS=2.
MNEDGES="mn_go mn_chan mn_chanbuf mn_close mn_select mn_mutex mn_rwmutex mn_cond mn_once
	mn_wg mn_sem mn_ctx mn_timer mn_io"
# Recycled slots: a task's write still races with a later task after its
# slot went to another task, when it ended or while it was blocked.
MNSLOTS="mn_slotreuse mn_preempt"
SEEDS="seed_loopvar seed_err seed_slice seed_map seed_mutexcopy seed_future seed_wgadd
	seed_table seed_ctxval"
# The seeds whose two accesses are one line (both tasks call one function).
SAME_LINE="seed_map seed_table"
# libmn's own tests under mnrace (selftests/mnrace/build.mk says which
# are left out, and why).
MN_SUITE="mn_sched_test mn_chan_test mn_net_ctx_test mn_thread_test"

# Sampling (progs/sample.c): the seeds of the runs at P = 10%, and the
# race-free twins checked at P = 10%.
SAMPLE_SEEDS="1 2 3 4 5"
TWINS="$EDGES $KINDS $MEMORY $MNEDGES $SEEDS sample"

plan $(( ($(echo $EDGES $KINDS $MEMORY | wc -w)) * 2 + 28 +
	 ($(echo $MNEDGES $MNSLOTS $SEEDS | wc -w)) * 4 + 2 + $(echo $MN_SUITE | wc -w) + 2 +
	 2 + $(echo $SAMPLE_SEEDS | wc -w) * 3 + $(echo $TWINS | wc -w) + $(echo $EDGES | wc -w) * 3 +
	 4 ))

# PROG's source (C or C++), and the line of "// mark:NAME" in it.
src() { ls "$SRC/$1".c "$SRC/$1".cpp 2>/dev/null; }
mark() { grep -n "// mark:$2\$" "$(src "$1")" | cut -d: -f1; }

# file:line (file without its directory) of the program's innermost
# frame of the stack that follows the first line matching the regex $1
# in file $2: #0, or #1 when #0 is the runtime's interceptor the access
# was made in (its source in user/mnrace/: "#0 free", "#0 __tsan_memcpy",
# as TSan names its interceptors).
frame0() {
	awk -v re="$1" '
		found && /^    #[01] / {
			for (i = 1; i <= NF; i++) if ($i ~ /:[0-9]+$/) break
			if ($1 == "#0" && $i ~ /\/user\/mnrace\/[a-z]+\.c:/) next
			if (i <= NF) { n = split($i, p, "/"); print p[n] }
			exit
		}
		$0 ~ re { found = 1 }' "$2"
}

# The same for the first frame of that stack in file $3 (a libmn
# program's access may be made inside libmn: mn_read's read(2) is
# netpoll.c's, its caller is the program's line).
frame_in() {
	awk -v re="$1" -v file="$3" '
		found && !/^    #/ { exit }
		found { for (i = 1; i <= NF; i++) if ($i ~ /:[0-9]+$/) { n = split($i, p, "/"); split(p[n], q, ":"); if (q[1] == file) { print p[n]; exit } } }
		$0 ~ re { found = 1 }' "$2"
}

# Reports of any kind (data race, heap-use-after-free).
reports() { grep -c '^WARNING: mnrace: ' "$1"; }

# verdict NAME: ok when the command just before succeeded (for a chain
# of conditions: COND && COND; verdict NAME).
verdict() { if [ $? = 0 ]; then ok "$1"; else not_ok "$1"; fi; }

# run NAME VARIANT [ENV...]: stderr in $TMP/NAME.VARIANT, stdout in
# $TMP/NAME.VARIANT.out, status in $rc.
run() {
	local name=$1 variant=$2
	shift 2
	env "$@" "$P/$name" "$variant" >"$TMP/$name.$variant.out" 2>"$TMP/$name.$variant"
	rc=$?
}

# expect_race NAME VARIANT CUR PREV [ENV...]: one report, status 66, the
# current access at mark:CUR, the previous at mark:PREV.
expect_race() {
	local name=$1 variant=$2 cm=$3 pm=$4 out cur prev want_cur want_prev
	shift 4
	run "$name" "$variant" "$@"
	out=$TMP/$name.$variant
	if [ "${name#mn_}" != "$name" ] || [ "${name#seed_}" != "$name" ]; then
		cur=$(frame_in '^  (Atomic )?(Read|Write) of size' "$out" "$(basename "$(src "$name")")")
		prev=$(frame_in '^  Previous ' "$out" "$(basename "$(src "$name")")")
	else
		cur=$(frame0 '^  (Atomic )?(Read|Write) of size' "$out")
		prev=$(frame0 '^  Previous ' "$out")
	fi
	want_cur="$(basename "$(src "$name")"):$(mark "$name" "$cm")"
	want_prev="$(basename "$(src "$name")"):$(mark "$name" "$pm")"
	if [ "$rc" = 66 ] && [ "$(reports "$out")" = 1 ] &&
	   [ "$cur" = "$want_cur" ] && [ "$prev" = "$want_prev" ]; then
		ok "$name: $variant: race reported at $want_cur against $want_prev${1:+ ($*)}"
	else
		not_ok "$name: $variant: status $rc, $(reports "$out") reports, lines '$cur' '$prev', want $want_cur $want_prev"
		sed 's/^/# /' "$out"
	fi
}

racy() { expect_race "$1" race second first; }

norace() {
	local name=$1
	shift
	run "$name" norace "$@"
	if [ "$rc" = 0 ] && [ "$(reports "$TMP/$name.norace")" = 0 ]; then
		ok "$name: race-free twin is silent${1:+ ($*)}"
	else
		not_ok "$name: race-free twin${1:+ ($*)}: status $rc, $(reports "$TMP/$name.norace") reports"
		sed 's/^/# /' "$TMP/$name.norace"
	fi
}

# Each happens-before edge: broken, reported; kept, silent.
for t in $EDGES $KINDS $MEMORY; do
	racy "$t"
	norace "$t"
done

# mnrace_ignore_range: both races reported without it; with it, only
# the one on the neighbouring word.
run ignore race
[ "$rc" = 66 ] && [ "$(reports "$TMP/ignore.race")" = 2 ]
verdict "ignore: without the annotation both races are reported"
expect_race ignore norace second2 first2

# A new thread on an ended detached thread's stack (status 3: glibc did
# not reuse it, nothing proved).
run stackreuse norace
[ "$rc" = 0 ] && [ "$(reports "$TMP/stackreuse.norace")" = 0 ]
verdict "stackreuse: a reused thread stack is no race (status $rc, want 0)"

# Destructors that run after a thread's start function returned.
run dtor norace
[ "$rc" = 0 ] && [ "$(reports "$TMP/dtor.norace")" = 0 ] && grep -qx 4 "$TMP/dtor.norace.out"
verdict "dtor: code after a thread's end runs unchecked (status $rc)"

# Eight threads through every interposer at once (mutexes, malloc/free
# handed between threads, atomics, short-lived threads reusing slots and
# pthread_t values): race-free, silent, and the counts add up; without
# the counter's mutex, every report is about the counter's line.
run stress norace
[ "$rc" = 0 ] && [ "$(reports "$TMP/stress.norace")" = 0 ]
verdict "stress: race-free under load (status $rc, want 0)"
run stress race
lines=$(grep -A1 -E '^  (Previous )?(read|write|Read|Write) of size' "$TMP/stress.race" |
	grep -o 'stress\.c:[0-9]*' | sort -u | tr '\n' ' ')
[ "$rc" = 66 ] && [ "$lines" = "stress.c:$(mark stress second) " ]
verdict "stress: the unlocked counter is reported, only at stress.c:$(mark stress second)"

# Locations: the heap block with the line that allocated it, a free
# reported as a write of the whole block, main's stack, task 2's TLS.
alloc=$(frame0 '^  Location is heap block of size 64 ' "$TMP/heap.race")
check "heap: location is the 64-byte block allocated at heap.c:$(mark heap alloc)" \
	[ "$alloc" = "heap.c:$(mark heap alloc)" ]
# C++: the block comes from the new-expression, not from libstdc++.
alloc=$(frame0 '^  Location is heap block of size 32 ' "$TMP/cxx.race")
check "cxx: location is the block of new int[8] at cxx.cpp:$(mark cxx alloc)" \
	[ "$alloc" = "cxx.cpp:$(mark cxx alloc)" ]

# std::thread creates through libstdc++ (uninstrumented): the creation
# stack is unwound through it down to main's line.
check "cxx: creation stack reaches main at cxx.cpp:$(mark cxx spawn)" \
	sh -c "grep -A6 '^  Task 2 .* created by task 1 at:' $TMP/cxx.race | grep -q '^    #[0-9] main .*/cxx.cpp:$(mark cxx spawn) '"

check "mixed: the earlier access is reported as an atomic write" \
	grep -q '^  Previous atomic write of size 4 ' "$TMP/mixed.race"

# What kind each report is.
check "free: a race with free() is a data race" \
	grep -q '^WARNING: mnrace: data race (pid=' "$TMP/free.race"
check "uaf: a use after free, ordered by join, is a heap-use-after-free" \
	sh -c "grep -q '^WARNING: mnrace: heap-use-after-free (pid=' $TMP/uaf.race && grep -q '^SUMMARY: mnrace: heap-use-after-free .*uaf.c:$(mark uaf second) in main' $TMP/uaf.race"

# The creation stack goes through spawn(), inlined into main: a frame
# for each, spawn at its pthread_create, main at its call of spawn,
# after the frame of the pthread_create interceptor (as TSan's #0).
created=$(grep -A3 '^  Task 2 .* created by task 1 at:' "$TMP/heap.race" |
	grep -oE '[a-z_]+ [^ ]+:[0-9]+' | sed 's|[^ ]*/||; s|^\(pthread_create pthread\.c\):[0-9]*$|\1|' |
	tr '\n' ' ')
want="pthread_create pthread.c spawn racetest.h:$(grep -n 'if (pthread_create(&t' "$SRC/racetest.h" | cut -d: -f1) main heap.c:$(mark heap spawn) "
check "heap: creation stack with the inlined frame ($want)" [ "$created" = "$want" ]
check "free: a write of the whole 32-byte block, in that heap block" \
	sh -c "grep -q '^  Write of size 32 ' $TMP/free.race && grep -q '^  Location is heap block of size 32 ' $TMP/free.race"
check "stack: location is the stack of task 1" \
	grep -qx '  Location is stack of task 1\.' "$TMP/stack.race"
check "tls: location is the TLS of task 2" \
	grep -qx '  Location is TLS of task 2\.' "$TMP/tls.race"
check "global: location is the C++ global by its demangled name" \
	grep -q "^  Location is global 'ns::counter' of size 4 at " "$TMP/global.race"

# History: with a single part (history_size=0) the child's 3000 calls
# after its write overwrite it; the race is still reported, at the right
# current line, saying the earlier stack is gone.
run history race MNRACE_OPTIONS=history_size=0
cur=$(frame0 '^  (Read|Write) of size' "$TMP/history.race")
if [ "$rc" = 66 ] && [ "$(reports "$TMP/history.race")" = 1 ] &&
   [ "$cur" = "history.c:$(mark history second)" ] &&
   grep -q '^    (stack could not be restored' "$TMP/history.race"; then
	ok "history_size=0: reported, earlier stack said to be lost"
else
	not_ok "history_size=0: status $rc, current '$cur'"
	sed 's/^/# /' "$TMP/history.race"
fi

# Two races, the later access of each made three times: each pc pair
# once, the count at exit.
run twice race
got=$(grep -A1 -E '^  (Read|Write) of size' "$TMP/twice.race" | grep -o 'twice\.c:[0-9]*' | sort | tr '\n' ' ')
want=$(printf 'twice.c:%s\n' "$(mark twice second)" "$(mark twice second2)" | sort | tr '\n' ' ')
[ "$rc" = 66 ] && [ "$(reports "$TMP/twice.race")" = 2 ] && [ "$got" = "$want" ]
verdict "twice: two reports, each pair once ($want)"
check "twice: 'mnrace: reported 2 warnings' at exit" \
	grep -qx 'mnrace: reported 2 warnings' "$TMP/twice.race"
check "twice: the program's buffered stdout (8 + 3) survives the exit with 66" \
	grep -qx 11 "$TMP/twice.race.out"

# Options.
run twice race MNRACE_OPTIONS=halt_on_error=1
[ "$rc" = 66 ] && [ "$(reports "$TMP/twice.race")" = 1 ]
verdict "halt_on_error=1: stops after the first report, status 66"
run twice race MNRACE_OPTIONS=exitcode=7
check "exitcode=7: status 7" [ "$rc" = 7 ]
run twice race "MNRACE_OPTIONS=log_path=$TMP/log"
log=$(ls "$TMP"/log.* 2>/dev/null | head -1)
[ -n "$log" ] && [ "$(reports "$log")" = 2 ] && [ "$(reports "$TMP/twice.race")" = 0 ]
verdict "log_path: both reports in log.PID, none on stderr"
printf '# the earlier accesses are in child()\nrace:^child$\n' >"$TMP/supp"
run twice race "MNRACE_OPTIONS=suppressions=$TMP/supp"
[ "$rc" = 0 ] && [ "$(reports "$TMP/twice.race")" = 0 ]
verdict "suppressions race:^child\$: nothing reported, status 0"

# Bad input: an unknown option is named and ignored, the rest still
# applies; a suppressions file that cannot be read stops the program.
run twice race "MNRACE_OPTIONS=bogus=1:exitcode=9"
[ "$rc" = 9 ] && grep -qx "mnrace: MNRACE_OPTIONS: unknown option 'bogus=1', ignored" "$TMP/twice.race"
verdict "an unknown option is reported and ignored, exitcode=9 still applies"
run twice race "MNRACE_OPTIONS=suppressions=$TMP/none"
[ "$rc" = 1 ] && grep -q "^mnrace: cannot read the suppressions file $TMP/none" "$TMP/twice.race"
verdict "an unreadable suppressions file is fatal, named (status $rc)"

# libmn: every edge broken is reported at its two lines, kept is silent,
# whether the tasks share one thread or not.
for t in $MNEDGES $MNSLOTS $SEEDS; do
	first=first
	case " $SAME_LINE " in *" $t "*) second=first ;; *) second=second ;; esac
	for procs in 1 2; do
		expect_race "$t" race "$second" "$first" MN_PROCS=$procs
		norace "$t" MN_PROCS=$procs
	done
done

# With one P both tasks ran on the main task's thread: the report says so
# (the thread of each "Task N (...thread T)" line), and still reports.
run mn_mutex race MN_PROCS=1
tids=$(grep -oE '^  Task [0-9]+ \((running on|finished, ran on) thread [0-9]+' "$TMP/mn_mutex.race" |
	awk '{print $NF}' | sort -u)
[ "$rc" = 66 ] && [ "$(echo "$tids" | wc -l)" = 1 ] && [ -n "$tids" ]
verdict "mn_mutex: MN_PROCS=1: a race between two tasks on one thread ($tids) is reported"
check "mn_mutex: the report names both tasks" \
	[ "$(grep -cE '^  Task [0-9]+ ' "$TMP/mn_mutex.race")" = 2 ]

# No false reports from the runtime: libmn's own test suite built with
# mnrace-cc passes with no report.
for t in $MN_SUITE; do
	out=$TMP/suite.$t
	"$O/selftests/mnrace/libmn/$t" >"$out.out" 2>"$out"
	rc=$?
	if [ "$rc" = 0 ] && [ "$(reports "$out")" = 0 ] && ! grep -q '^not ok' "$out.out"; then
		ok "libmn suite: $t under mnrace: passes, no report"
	else
		not_ok "libmn suite: $t under mnrace: status $rc, $(reports "$out") reports"
		grep -E '^not ok|^WARNING|^    #0|^SUMMARY' "$out" "$out.out" | head -40 | sed 's/^/# /'
	fi
done

# Skynet: a million tasks (a 10-ary tree) under mnrace finish, bounded:
# the sum is checked by the program, the RSS is printed.
sky=$TMP/skynet
"$O/selftests/mnrace/progs/mn_skynet" >"$sky.out" 2>"$sky"
rc=$?
if [ "$rc" = 0 ] && grep -qx 'sum 499999500000' "$sky.out" && [ "$(reports "$sky")" = 0 ]; then
	ok "skynet: 1M tasks under mnrace, right sum, no report"
else
	not_ok "skynet: status $rc, $(reports "$sky") reports"
	sed 's/^/# /' "$sky" "$sky.out" | head -20
fi
diag "skynet under mnrace: $(grep '^rss' "$sky.out")"

# Sampling, MNRACE_OPTIONS=sample=P (docs/mnrace.md).  progs/sample.c
# makes one race 1000 times, in 1000 different sampling periods (each
# thread makes more function calls between rounds than a period has
# events), and the write and read of a round with no event between them,
# so in one period.  A round in a sampled period is reported; a run
# misses only if none of its 1000 periods is sampled.  Period p is
# sampled when a hash (splitmix64) of (seed, p) falls under P * 2^64: for
# a fixed seed the outcome is the same in every run, and over seeds the
# chance that one misses is 0.9^1000 = 1.7e-46 at P = 10%.  So each of
# the five seeds is reported, at the two marks.
racy sample
norace sample
for seed in $SAMPLE_SEEDS; do
	expect_race sample race second first "MNRACE_OPTIONS=sample=10%:sample_seed=$seed"
	# The write's caller, from the history: calls outside the windows
	# are left out of it, and a window's part starts from the stack.
	check "sample: seed $seed: the earlier stack's #1 is main at sample.c:$(mark sample put)" \
		sh -c "grep -A2 '^  Previous write' $TMP/sample.race | sed -n 3p | grep -q '^    #1 main .*/sample.c:$(mark sample put) '"
	# Its twin publishes the write by a semaphore with 1024 calls between
	# the write, the edge and the read: the three fall in different
	# periods, and the edge counts whether or not its period is sampled
	# (with edges tracked only in sampled periods, every seed reports).
	norace sample "MNRACE_OPTIONS=sample=10%:sample_seed=$seed"
done

# Every race-free twin at P = 10%, with a period of one event, so that
# sampling turns on and off inside these short programs: no false report
# from a cell of an earlier window, or a mark of malloc or free made
# outside one.  (These few accesses rarely fall in sampled periods on
# both sides of their edge: the sample twin above is the test of edges
# made outside the windows.)
for t in $TWINS; do
	norace "$t" "MNRACE_OPTIONS=sample=0.1:sample_period=1:sample_seed=7"
done

# sample=1 (100%) is no sampling: each edge test's verdicts, and its
# report the same text but for pids, threads and addresses.
normal() { sed -E 's/pid=[0-9]+/pid=N/; s/thread [0-9]+/thread N/g; s/ at 0x[0-9a-f]+/ at A/g' "$1"; }
for t in $EDGES; do
	run "$t" race
	normal "$TMP/$t.race" >"$TMP/$t.plain"
	expect_race "$t" race second first MNRACE_OPTIONS=sample=1
	normal "$TMP/$t.race" >"$TMP/$t.all"
	check "$t: sample=1: the same report as without sampling" cmp -s "$TMP/$t.plain" "$TMP/$t.all"
	norace "$t" MNRACE_OPTIONS=sample=100%
done

# A bad fraction is named, with what it should be, and ignored.
for v in 0 1.5 150% ten; do
	run twice race "MNRACE_OPTIONS=sample=$v:exitcode=9"
	[ "$rc" = 9 ] && grep -qxF "mnrace: MNRACE_OPTIONS: bad value in 'sample=$v' (want a fraction in (0, 1] or a percent in (0%, 100%]), ignored" "$TMP/twice.race" &&
		[ "$(reports "$TMP/twice.race")" = 2 ]
	verdict "sample=$v is refused with a message, the rest applies, nothing sampled away"
done

# The link: mnrace's runtime, not clang's libtsan.
check "mnrace-cc links libmnrace and not libtsan" \
	sh -c "nm '$P/mutex' | grep -q ' T mnrace_release\$' && ! nm '$P/mutex' | grep -q __sanitizer_"
# libmn as the shared library (uninstrumented code to mnrace), only for
# a program that uses it.
check "mnrace-cc links libmn.so into a libmn program, not into a pthread one" \
	sh -c "readelf -d '$P/mn_chan' | grep -q 'NEEDED.*\[libmn\.so\.0\]' &&
	       ! readelf -d '$P/mutex' | grep -q 'NEEDED.*libmn'"

tap_done
