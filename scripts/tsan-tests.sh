#!/bin/sh
# tsan-tests.sh DIR: put the test sources of compiler-rt's ThreadSanitizer
# (compiler-rt/test/tsan and the headers they take from
# compiler-rt/test/sanitizer_common) under DIR, from the Debian source
# package of the clang-19 that is installed, so the tests are those of the
# compiler whose pass mnrace uses.  Nothing of LLVM is kept in our tree:
# selftests/mnrace/tsan_suite.py runs them (docs/mnrace.md).
#
# Debian's binary packages do not ship these tests and a fresh Debian 12
# has no deb-src lines, so this uses apt-get with a configuration of its
# own under DIR/apt: a deb-src line for each Debian archive apt already
# fetches packages from (read from `apt-cache policy`), signed by the
# Debian archive keyring.  The system's apt configuration is not touched;
# apt checks the tarball against the signed index.  About 165 MB are
# downloaded once; only the tests are extracted, the tarball is removed.
set -eu

dir=${1:?usage: tsan-tests.sh DIR}
case $dir in /*) ;; *) dir=$PWD/$dir ;; esac	# apt-get runs in another directory
pkg=${TSAN_TESTS_CLANG:-clang-19}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

die() { echo "tsan-tests.sh: $*" >&2; exit 1; }

src=$(dpkg-query -W -f='${source:Package}=${source:Version}' "$pkg" 2>/dev/null) ||
	die "$pkg is not installed (scripts/deps.sh)"
[ -r "$keyring" ] || die "no $keyring (package debian-archive-keyring)"

rm -rf "$dir.tmp"
mkdir -p "$dir.tmp/apt/lists/partial" "$dir.tmp/apt/cache/archives/partial" \
	"$dir.tmp/apt/sources.parts" "$dir.tmp/dl"
: > "$dir.tmp/apt/sources.list"

# " 500 URI SUITE/COMPONENT ARCH Packages" followed by "release ...o=Debian...".
apt-cache policy | awk -v kr="$keyring" '
	/^ *[0-9]+ [a-z]+:\/\// { uri = $2; n = split($3, sc, "/"); suite = sc[1]; comp = sc[2]; next }
	/^ *release / && /o=Debian,/ && uri != "" {
		line = "deb-src [signed-by=" kr "] " uri " " suite " " comp
		if (!(line in seen)) { seen[line] = 1; print line }
		uri = ""
	}' > "$dir.tmp/apt/sources.parts/debian-src.list"
[ -s "$dir.tmp/apt/sources.parts/debian-src.list" ] ||
	die "apt knows no Debian archive (apt-cache policy lists none; run apt-get update)"

set -- -o Dir::Etc::SourceList="$dir.tmp/apt/sources.list" \
	-o Dir::Etc::SourceParts="$dir.tmp/apt/sources.parts" \
	-o Dir::State::Lists="$dir.tmp/apt/lists" \
	-o Dir::Cache="$dir.tmp/apt/cache" \
	-o APT::Sandbox::User="$(id -un)" -qq

echo "tsan-tests.sh: fetching the source of $src (once)"
apt-get "$@" update || die "apt-get update of the deb-src indexes failed"
(cd "$dir.tmp/dl" && apt-get "$@" source --download-only "$src" >/dev/null) ||
	die "apt-get source $src failed"

set -- "$dir.tmp/dl"/*.orig.tar.*
orig=$1
[ -f "$orig" ] || die "apt-get source $src brought no .orig tarball"
tar -xf "$orig" -C "$dir.tmp" --strip-components=1 --wildcards \
	'*/compiler-rt/test/tsan/*' '*/compiler-rt/test/sanitizer_common/*.h' ||
	die "extracting the tsan tests from $orig failed"
[ -f "$dir.tmp/compiler-rt/test/tsan/test.h" ] || die "$orig has no compiler-rt/test/tsan/test.h"
rm -rf "$dir.tmp/dl" "$dir.tmp/apt"
echo "$src" > "$dir.tmp/VERSION"
rm -rf "$dir"
mv "$dir.tmp" "$dir"
