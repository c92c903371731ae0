#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# A real Prometheus server (Debian's) scrapes a page served by the agent's
# HTTP endpoint (user/nstaint/agent/httpd via httpd_serve): the target is up, and
# the values and escaped labels Prometheus stored are the ones served.
# Prometheus, not our code, is the oracle.  Run from the top of the tree.
set -u
. scripts/tap.sh
. selftests/lib/promtest.sh

O=${O:-build}
SERVE=$O/selftests/agent/httpd_serve
TMP=$(mktemp -d)
serve=''
cleanup() {
	prom_stop
	[ -n "$serve" ] && kill "$serve" 2>/dev/null && wait "$serve" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

plan 4

query() { prom_query "$1"; }

coproc SRV { exec "$SERVE" 127.0.0.1:0 42.5; }
serve=$SRV_PID
read -r _ port <&"${SRV[0]}"
diag "httpd_serve on port ${port:-?}"

prom_start "$port"

# Wait (up to 60 s) for the first scrape to be stored.
for _ in $(seq 120); do
	[ -n "$(query 'nstaint_test_value')" ] && break
	sleep 0.5
done

check "Prometheus scraped the target: up == 1" \
	[ "$(query 'up{job="nstaint"}')" = '1 {"__name__": "up", "job": "nstaint"}' ]
got=$(query 'nstaint_test_value')
diag "nstaint_test_value: $got"
check "gauge stored with the value served" \
	[ "$got" = '42.5 {"__name__": "nstaint_test_value", "job": "nstaint"}' ]
got=$(query 'nstaint_test_lost_total')
diag "nstaint_test_lost_total: $got"
check "counter stored with its labels, escapes undone" \
	[ "$got" = '7 {"__name__": "nstaint_test_lost_total", "job": "nstaint", "note": "a \"quoted\\\" \n value", "stage": "ring"}' ]
# Prometheus reports no sample it had to drop or could not parse.
check "no scrape errors: scrape_samples_scraped == 2" \
	[ "$(query 'scrape_samples_scraped{job="nstaint"}' | cut -d' ' -f1)" = 2 ]
# shellcheck disable=SC2154 # set by scripts/tap.sh
[ "$_tap_failed" = 0 ] || sed 's/^/# prometheus: /' "$TMP/prom.log"

tap_done
