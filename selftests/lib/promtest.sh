# shellcheck shell=bash
# A real Prometheus server (Debian's) for the agent's tests, after
# selftests/lib/testlib.sh or with TMP set:
#   prom_start PORT   scrape 127.0.0.1:PORT every second as job "nstaint";
#                     sets PROM_PID, and PROM_PORT (its API) once it
#                     listens
#   prom_query EXPR   the first result of an instant query as
#                     "VALUE LABELS-JSON" (labels sorted, no instance), or
#                     nothing while Prometheus has none
#   prom_stop         stop it
prom_start() {
	cat >"$TMP/prometheus.yml" <<EOT
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: nstaint
    static_configs:
      - targets: ['127.0.0.1:$1']
EOT
	# Its own API on a port the kernel picks as it binds (a port picked
	# beforehand could be taken by then), read back from its socket.
	prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/data" \
		--web.listen-address=127.0.0.1:0 --log.level=warn \
		>"$TMP/prom.log" 2>&1 &
	PROM_PID=$!
	PROM_PORT=
	for _ in $(seq 100); do
		PROM_PORT=$(ss -Hltnp 2>/dev/null |
			sed -n "s/^LISTEN .* 127\.0\.0\.1:\([0-9]*\) .*pid=$PROM_PID,.*/\1/p" | head -1)
		[ -n "$PROM_PORT" ] && return 0
		kill -0 "$PROM_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "prom_start: Prometheus is not listening (see $TMP/prom.log)" >&2
	return 1
}

prom_query() {
	/usr/bin/python3 - "$PROM_PORT" "$1" <<'PY'
import json, sys, urllib.parse, urllib.request
port, expr = sys.argv[1], sys.argv[2]
url = "http://127.0.0.1:%s/api/v1/query?%s" % (port, urllib.parse.urlencode({"query": expr}))
try:
    r = json.load(urllib.request.urlopen(url, timeout=5))
except Exception:
    sys.exit(0)
res = r.get("data", {}).get("result", [])
if res:
    m = dict(res[0]["metric"]); m.pop("instance", None)
    print(res[0]["value"][1], json.dumps(m, sort_keys=True))
PY
}

prom_stop() {
	[ -n "${PROM_PID:-}" ] || return 0
	kill "$PROM_PID" 2>/dev/null
	wait "$PROM_PID" 2>/dev/null
	PROM_PID=
}
