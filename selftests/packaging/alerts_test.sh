#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Selftests of packaging/prometheus: the alert rules load in Prometheus'
# own checker, fire and stay silent as their unit tests say (promtool
# evaluates them, not us), and every YAML file under packaging/ lints
# clean.  Run from the top of the tree.
set -u
. scripts/tap.sh

RULES=packaging/prometheus/nstaint-alerts.yml
RULES_TEST=packaging/prometheus/nstaint-alerts_test.yml
YAMLLINT_CONF='{extends: default, rules: {line-length: {max: 100}, document-start: disable}}'
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

plan 3

# promtool parses the rules and their PromQL.
check "promtool check rules: $RULES" \
	bash -c "promtool check rules '$RULES' >'$TMP/check' 2>&1 || { sed 's/^/# /' '$TMP/check'; exit 1; }"

# Each alert fires on its series and not on its near miss (promtool test).
check "promtool test rules: $RULES_TEST" \
	bash -c "cd '$(dirname "$RULES_TEST")' && promtool test rules '$(basename "$RULES_TEST")' >'$TMP/test' 2>&1 || { sed 's/^/# /' '$TMP/test'; exit 1; }"

# Every YAML file shipped lints clean.
mapfile -t yamls < <(find packaging -name '*.yml' -o -name '*.yaml' | sort)
diag "yamllint: ${yamls[*]}"
check "yamllint: every YAML file under packaging/" \
	bash -c 'yamllint -f parsable -d "$1" "${@:2}" | sed "s/^/# /"; exit "${PIPESTATUS[0]}"' _ "$YAMLLINT_CONF" "${yamls[@]}"

tap_done
