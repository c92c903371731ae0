# bench/trace: overhead of `nstaint trace` (make bench-trace; not in check).
$(O)/bench/trace/getppid: bench/trace/getppid.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $<

.PHONY: bench-trace
bench-trace: $(O)/nstaint $(O)/bench/trace/getppid $(O)/selftests/bpf/nsprog
	$(Q)bench/trace/run.sh $(O)
