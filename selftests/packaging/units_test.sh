#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Selftests of the agent's packaging: the systemd unit passes systemd's own
# checks (systemd-analyze verify, security), the capabilities it grants are
# enough for the agent to attach and report a taint (setpriv gives it no
# more), the example configuration and the DaemonSets' arguments are ones
# the agent accepts, and the DaemonSet grants the unit's capabilities,
# sets NODE_NAME and probes the agent's paths on its metrics port.
# Run from the top of the tree as root.
set -u
. selftests/lib/testlib.sh

UNIT=packaging/systemd/nstaint-agent.service
LEAK=$O/selftests/go/leak
agent=''
at_exit '[ -n "$agent" ] && kill "$agent" 2>/dev/null && wait "$agent" 2>/dev/null'

plan 6

# systemd-analyze verify says nothing of the unit (an unknown key, a bad
# value or a missing command would be printed), with ExecStart on the
# binary under test.
sed "s#^ExecStart=/usr/sbin/nstaint#ExecStart=$PWD/$NSTAINT#" "$UNIT" >"$TMP/nstaint-agent.service"
systemd-analyze verify --man=no "$TMP/nstaint-agent.service" >"$TMP/verify" 2>&1
vrc=$?
sed 's/^/# verify: /' "$TMP/verify"
verify_ok() { [ "$vrc" = 0 ] && [ ! -s "$TMP/verify" ]; }
check "systemd-analyze verify: unit clean" verify_ok

# systemd's own exposure score of the sandbox stays at "OK" or better
# (at most 4.0 of 10).
score=$(systemd-analyze security --offline=yes "$UNIT" 2>/dev/null |
	sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p')
diag "exposure: ${score:-?}"
score_ok() { [ -n "$score" ] && /usr/bin/python3 -c "import sys; sys.exit(not float('$score') <= 4.0)"; }
check "systemd-analyze security: exposure <= 4.0" score_ok

# The unit's CapabilityBoundingSet, as setpriv spells it.
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT")
setpriv_caps="-all$(for c in $caps; do c=${c#CAP_}; printf ',+%s' "${c,,}"; done)"
diag "bounding set: $setpriv_caps"

# With only those capabilities the agent attaches and exports the leak
# demo's taint of the thread the demo itself names.
setpriv --bounding-set="$setpriv_caps" "$NSTAINT" agent --metrics-address none \
	--export=stdout --export-events=thread_tainted >"$TMP/ev.json" 2>"$TMP/agent.err" &
agent=$!
wait_for "$TMP/agent.err" '^nstaint agent: attached' 600
"$LEAK" >"$TMP/leak.out" 2>&1
ltid=$(sed -n 's/^tainted tid=\([0-9]*\) .*/\1/p' "$TMP/leak.out")
caps_ok() {
	wait_for "$TMP/ev.json" "\"event\":\"thread_tainted\".*\"tid\":${ltid:-x}," 100
}
check "the unit's capabilities suffice: attached, the demo's taint exported" caps_ok
kill "$agent" 2>/dev/null
wait "$agent" 2>/dev/null
agent=''
[ "$_tap_failed" = 0 ] || sed 's/^/# agent: /' "$TMP/agent.err"

# The example configuration is one the agent accepts.
conf_ok() {
	"$NSTAINT" agent --config packaging/agent.conf --print-config >"$TMP/pc" &&
		grep -qx 'export = file' "$TMP/pc"
}
check "packaging/agent.conf: accepted (--print-config)" conf_ok

# Each DaemonSet's container arguments are accepted by the agent, and the
# DaemonSet without privilege grants exactly the unit's capabilities,
# takes NODE_NAME from the node, runs with the host's pids, and probes
# /healthz and /readyz on the port the agent listens on.
ds_ok() {
	/usr/bin/python3 - "$NSTAINT" "$caps" packaging/k8s/daemonset.yaml \
		packaging/k8s/daemonset-kmod.yaml <<'PY'
import subprocess, sys, yaml
nstaint, caps = sys.argv[1], sys.argv[2].split()
for path in sys.argv[3:]:
    ds = yaml.safe_load(open(path))
    spec = ds["spec"]["template"]["spec"]
    assert spec["hostPID"] is True, path
    c = spec["containers"][0]
    r = subprocess.run([nstaint] + c["args"] + ["--print-config"], capture_output=True, text=True)
    assert r.returncode == 0, (path, r.stderr)
    addr = [a for a in c["args"] if a.startswith("--metrics-address=")][0]
    port = int(addr.rsplit(":", 1)[1])
    ports = {p["name"]: p["containerPort"] for p in c["ports"]}
    assert ports["metrics"] == port, path
    assert c["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "metrics"}, path
    assert c["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "metrics"}, path
    env = {e["name"]: e for e in c["env"]}
    assert env["NODE_NAME"]["valueFrom"]["fieldRef"]["fieldPath"] == "spec.nodeName", path
    sc = c["securityContext"]
    if not sc.get("privileged"):
        assert sc["capabilities"]["drop"] == ["ALL"], path
        assert sorted("CAP_" + x for x in sc["capabilities"]["add"]) == sorted(caps), path
PY
}
check "DaemonSets: args accepted, caps = the unit's, NODE_NAME, probes" ds_ok

# The alert rules name only families the agent serves (or process_*).
rules_ok() {
	/usr/bin/python3 - packaging/prometheus/nstaint-alerts.yml docs/agent.md <<'PY'
import re, sys, yaml
doc = open(sys.argv[2]).read()
for g in yaml.safe_load(open(sys.argv[1]))["groups"]:
    for r in g["rules"]:
        for m in re.findall(r"\bnstaint_[a-z_]+", r["expr"]):
            assert "`%s`" % m in doc, m
PY
}
check "alert rules use only families docs/agent.md lists" rules_ok

tap_done
