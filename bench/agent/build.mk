# bench/agent: `nstaint agent`'s CPU and RSS idle for 60 s and under a
# storm of namespace changes, beside `nstaint trace` (and the agent on
# the proc backend), and the latency of a /metrics scrape with 10,000
# threads on the host (not in make check).  `make bench-agent`;
# IDLE_S (60), STORM_THREADS (8), STORM_FLIPS (2000), SCRAPES (50).
.PHONY: bench-agent

bench-agent: $(O)/nstaint $(O)/selftests/bpf/nsflip $(O)/bench/ps/threadfarm selftests/lib/httpget.py
	$(Q)bench/agent/run.sh $(O)
