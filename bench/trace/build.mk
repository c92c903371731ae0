# bench/trace: overhead of `nstaint trace` with nothing tainted and with a
# thread tainted elsewhere, recall beside it, --exact's cost to the traced
# Go process, and record throughput under a storm (not in make check).
# `make bench-trace`; BENCH_ONLY=tainted runs only the new parts.
.PHONY: bench-trace

$(O)/bench/trace/getppid: bench/trace/getppid.c
	$(call msg,BENCH,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $<

bench-trace: $(O)/nstaint $(O)/bench/trace/getppid $(O)/selftests/bpf/nsflip \
	     $(O)/selftests/bpf/mnleak $(O)/selftests/go/sockns $(O)/selftests/go/onthread \
	     selftests/lib/recall.py
	$(Q)bench/trace/run.sh $(O)
