# shellcheck shell=bash
# wait_attached ERRFILE: wait (up to 60 s) until the `nstaint trace` whose
# stderr goes to ERRFILE says its probes are in place.  A fixed sleep is
# not enough in the 6.1 VM (TCG), where loading takes seconds.
wait_attached() {
	for _ in $(seq 600); do
		grep -q '^nstaint trace: attached' "$1" && return
		sleep 0.1
	done
}
