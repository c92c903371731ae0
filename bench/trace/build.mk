# bench/trace: overhead of `nstaint trace` with nothing tainted, and its
# record throughput under a storm (not in make check).  `make bench-trace`.
.PHONY: bench-trace

$(O)/bench/trace/getppid: bench/trace/getppid.c
	$(call msg,BENCH,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $<

bench-trace: $(O)/nstaint $(O)/bench/trace/getppid $(O)/selftests/bpf/nsflip
	$(Q)bench/trace/run.sh $(O)
