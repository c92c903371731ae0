#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Selftests of `make install`: into a DESTDIR, every file where the GNU
# directory variables say, with its mode; libmn.so's SONAME and links; a
# libmn program built against the installed pkg-config file (shared and
# static) runs; a racy program built against the installed mnrace.pc (and
# with the installed mnrace-cc) gets its race reported; the man pages lint clean and name every long option of
# each command's --help; `make uninstall` removes all it installed.
# Run from the top of the tree.
set -u
. scripts/tap.sh

O=${O:-build}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
D=$TMP/dest
MAKE_ARGS=(--no-print-directory -s O="$O" DESTDIR="$D" PREFIX=/usr)

plan 12

# make install succeeds into an empty DESTDIR.
make "${MAKE_ARGS[@]}" install >"$TMP/install.log" 2>&1
rc=$?
[ "$rc" -eq 0 ] || sed 's/^/# /' "$TMP/install.log"
check "make install DESTDIR=... PREFIX=/usr exits 0" [ "$rc" -eq 0 ]

# Every file is where it belongs with its mode, as stat(1) sees it.
modes_ok() {
	local f want got bad=0
	while read -r f want; do
		got=$(stat -c %a "$D$f" 2>/dev/null || echo missing)
		[ "$got" = "$want" ] || { diag "$f: mode $got, want $want"; bad=1; }
	done <<-EOT
	/usr/sbin/nstaint 755
	/usr/lib/libmn.a 644
	/usr/lib/libmn.so.0.1.0 755
	/usr/include/mn.h 644
	/usr/include/nstaint/mn_abi.h 644
	/usr/lib/pkgconfig/libmn.pc 644
	/usr/lib/libmnrace.a 644
	/usr/include/mnrace.h 644
	/usr/lib/pkgconfig/mnrace.pc 644
	/usr/bin/mnrace-cc 755
	/usr/bin/mnrace-c++ 755
	/usr/share/man/man8/nstaint.8 644
	/usr/share/man/man3/libmn.3 644
	/usr/lib/systemd/system/nstaint-agent.service 644
	/etc/nstaint/agent.conf 644
	EOT
	return $bad
}
check "installed files and modes" modes_ok

# The loader's name for the library: SONAME libmn.so.0 (readelf), and
# the links libmn.so -> libmn.so.0 -> libmn.so.0.1.0.
soname_ok() {
	readelf -d "$D/usr/lib/libmn.so.0.1.0" | grep -q 'SONAME.*\[libmn\.so\.0\]' &&
	[ "$(readlink "$D/usr/lib/libmn.so.0")" = libmn.so.0.1.0 ] &&
	[ "$(readlink "$D/usr/lib/libmn.so")" = libmn.so.0 ]
}
check "libmn.so SONAME libmn.so.0 and its links" soname_ok

# pkg-config against the DESTDIR, as a packager's build would see it:
# pc ARGS... for libmn, PKG=mnrace pc ARGS... for mnrace.
pc() {
	PKG_CONFIG_LIBDIR=$D/usr/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$D \
		pkg-config "$@" "${PKG:-libmn}"
}

# A program built with the installed header and `pkg-config --cflags
# --libs` links against the installed libmn.so.0 (the loader says so) and
# runs 100 tasks whose numbers add up to 5050.
shared_ok() {
	# shellcheck disable=SC2046
	cc -o "$TMP/hello" selftests/install/hello_mn.c $(pc --cflags --libs) ||
		return 1
	LD_LIBRARY_PATH=$D/usr/lib ldd "$TMP/hello" |
		grep -q "libmn\.so\.0 => $D/usr/lib/libmn\.so\.0" || return 1
	out=$(LD_LIBRARY_PATH=$D/usr/lib "$TMP/hello") || return 1
	diag "shared: $out"
	[[ "$out" == "sum=5050 procs="* ]]
}
check "program built with installed pkg-config (shared) runs" shared_ok

# The same linked with the installed libmn.a and `pkg-config --static`:
# no NEEDED entry for libmn, same result.
static_ok() {
	# shellcheck disable=SC2046
	cc -o "$TMP/hello_static" selftests/install/hello_mn.c \
		$(pc --cflags) "$D/usr/lib/libmn.a" $(pc --static --libs-only-l | sed 's/-lmn//') ||
		return 1
	! readelf -d "$TMP/hello_static" | grep -q 'NEEDED.*libmn' || return 1
	out=$("$TMP/hello_static") || return 1
	[[ "$out" == "sum=5050 procs="* ]]
}
check "program linked with the installed libmn.a runs" static_ok

# mnrace's report of hello_race.c's race: status 66, one report, its
# current access at mark:second and the earlier one at mark:first (the
# oracle is the source's marks, as in selftests/mnrace).  $1: the binary.
race_reported() {
	local src=selftests/install/hello_race.c out rc first second
	out=$("$1" 2>&1)
	rc=$?
	first=$(grep -n '// mark:first$' "$src" | cut -d: -f1)
	second=$(grep -n '// mark:second$' "$src" | cut -d: -f1)
	[ "$rc" = 66 ] && [ "$(grep -c '^WARNING: mnrace: data race' <<<"$out")" = 1 ] &&
	grep -A1 '^  Write of size 4 ' <<<"$out" | grep -q "hello_race\.c:$second " &&
	grep -A1 '^  Previous write of size 4 ' <<<"$out" | grep -q "hello_race\.c:$first " &&
	return 0
	diag "status $rc, want 66 and the race at hello_race.c:$second against :$first"
	sed 's/^/# /' <<<"$out"
	return 1
}

# A racy pthread program compiled with clang-19 and `pkg-config --cflags
# mnrace`, linked with `--libs`: the installed libmnrace.a, no libtsan.
mnrace_pc_ok() {
	local cflags libs
	cflags=$(PKG=mnrace pc --cflags) && libs=$(PKG=mnrace pc --libs) || return 1
	# shellcheck disable=SC2086
	clang-19 $cflags -c -o "$TMP/hello_race.o" selftests/install/hello_race.c || return 1
	# shellcheck disable=SC2086
	clang-19 -o "$TMP/hello_race" "$TMP/hello_race.o" $libs || return 1
	nm "$TMP/hello_race" | grep -q ' T mnrace_release$' || return 1
	! nm "$TMP/hello_race" | grep -q __sanitizer_ || return 1
	race_reported "$TMP/hello_race"
}
check "racy program built with the installed mnrace.pc: race reported" mnrace_pc_ok

# The installed mnrace-cc names the installed library, libmn's directory
# and the headers; run with those moved into the DESTDIR, it builds a
# program whose race is reported.
mnrace_cc_ok() {
	grep -qx "LIB=/usr/lib/libmnrace.a" "$D/usr/bin/mnrace-cc" &&
	grep -qx "LIBDIR=/usr/lib" "$D/usr/bin/mnrace-cc" &&
	grep -qx "INC=/usr/include" "$D/usr/bin/mnrace-cc" || return 1
	sed "s|^LIB=.*|LIB=$D/usr/lib/libmnrace.a|;s|^LIBDIR=.*|LIBDIR=$D/usr/lib|;s|^INC=.*|INC=$D/usr/include|" \
		"$D/usr/bin/mnrace-cc" >"$TMP/mnrace-cc" &&
	sh "$TMP/mnrace-cc" -o "$TMP/hello_race_cc" selftests/install/hello_race.c &&
	race_reported "$TMP/hello_race_cc"
}
check "installed mnrace-cc builds a program whose race is reported" mnrace_cc_ok

# The pages are valid roff: mandoc's linter and groff's warnings are silent.
lint_ok() {
	local p rc=0 out
	for p in "$D/usr/share/man/man8/nstaint.8" "$D/usr/share/man/man3/libmn.3"; do
		out=$(mandoc -T lint -W warning "$p" 2>&1; groff -man -ww -z "$p" 2>&1)
		[ -z "$out" ] || { diag "$out"; rc=1; }
	done
	return $rc
}
check "man pages lint clean (mandoc -T lint, groff -ww)" lint_ok

# man finds the installed pages through MANPATH, and renders them.
man_ok() {
	MANPATH=$D/usr/share/man man -P cat 8 nstaint 2>/dev/null | grep -q 'nstaint ps' &&
	MANPATH=$D/usr/share/man man -P cat 3 libmn 2>/dev/null | grep -q 'mn_ns_do'
}
if command -v man >/dev/null; then
	check "man(1) renders the installed pages" man_ok
else
	check "groff renders the installed pages" \
		bash -c "groff -man -Tascii '$D/usr/share/man/man3/libmn.3' | grep -q mn_ns_do"
fi

# Every long option that `nstaint CMD --help` prints is in the section
# of nstaint(8) for CMD (its rendered text), so the page cannot fall
# behind the code.
options_in_page() {
	local cmd opt rc=0 page section
	page=$(groff -man -Tascii -P-cbou "$D/usr/share/man/man8/nstaint.8")
	for cmd in ps trace top agent; do
		section=$(sed -n "/^   nstaint $cmd\$/,/^   nstaint [a-z]*\$\|^[A-Z]/p" <<<"$page" | sed '1d')
		for opt in $("$D/usr/sbin/nstaint" "$cmd" --help 2>&1 |
				grep -o -- '--[a-z][a-z-]*' | sort -u); do
			grep -q -- "$opt" <<<"$section" ||
				{ diag "nstaint $cmd $opt is not in its section of nstaint(8)"; rc=1; }
		done
	done
	return $rc
}
check "every --help long option of ps, trace, top, agent is in nstaint(8)" options_in_page

# The commands themselves are in the page's COMMANDS section.
check "nstaint(8) documents every command of nstaint --help" bash -c '
	page=$(groff -man -Tascii -P-cbou "$1")
	for c in $("$2" --help 2>&1 | sed -n "s/^  \([a-z]*\)  .*/\1/p"); do
		grep -q "^   nstaint $c\$" <<<"$page" || { echo "# $c missing"; exit 1; }
	done' _ "$D/usr/share/man/man8/nstaint.8" "$D/usr/sbin/nstaint"

# make uninstall leaves no file behind but the configuration.
make "${MAKE_ARGS[@]}" uninstall >"$TMP/uninstall.log" 2>&1
left=$(find "$D" -type f -o -type l | grep -v '^'"$D"'/etc/nstaint/agent.conf$')
[ -z "$left" ] || diag "left: $left"
check "make uninstall removes every installed file but agent.conf" [ -z "$left" ]

tap_done
