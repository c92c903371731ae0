#!/usr/bin/python3
# promparse.py: parse Prometheus text exposition on stdin with the
# official client library's parser (python3-prometheus-client), the
# oracle of the agent's tests, and print what it understood, one line
# each, sorted within a family:
#   family NAME TYPE HELP(json)
#   sample NAME LABELS(json, keys sorted) VALUE(repr)
# Exits 1 (with the parser's message) on input it rejects.
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

try:
    fams = list(text_string_to_metric_families(sys.stdin.read()))
except Exception as e:  # the parser raises ValueError and others
    print("promparse: %s" % e, file=sys.stderr)
    sys.exit(1)
for f in fams:
    print("family %s %s %s" % (f.name, f.type, json.dumps(f.documentation)))
    for s in sorted(f.samples, key=lambda s: (s.name, sorted(s.labels.items()))):
        print("sample %s %s %r" % (s.name, json.dumps(s.labels, sort_keys=True), s.value))
