#!/bin/sh
# Install every Debian package that nstaint's build, tests and benchmarks
# need.  Idempotent: when everything is present it only checks (seconds).
# llvm-19-tools is for FileCheck (TSan's tests under mnrace).
# prometheus is for promtool and the agent tests; on a host that runs
# systemd its package also enables a prometheus.service on :9090.
set -eu

PKGS="
build-essential make pkg-config git
clang-19 llvm-19 llvm-19-tools libclang-rt-19-dev libbpf-dev bpftool libelf-dev libdw-dev zlib1g-dev
libjson-c-dev libmicrohttpd-dev systemtap-sdt-dev
linux-headers-amd64 linux-image-amd64 linux-source-6.1
qemu-system-x86 busybox-static cpio xz-utils
golang-go python3 iproute2 util-linux procps kmod tmux
bpftrace linux-perf
mandoc groff-base prometheus yamllint python3-prometheus-client python3-yaml
"

missing=
for p in $PKGS; do
	s=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$s" = installed ] || missing="$missing $p"
done

if [ -z "$missing" ]; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
	command -v sudo >/dev/null 2>&1 || {
		echo "deps.sh: missing packages:$missing" >&2
		echo "deps.sh: run as root (or install sudo) to install them" >&2
		exit 1
	}
else
	SUDO=
fi

echo "deps.sh: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "deps.sh: done"
