# BPF selftests: a C helper that changes namespaces from pthreads, and a
# TAP shell test driving `nstaint trace` against it and the Go programs.

ALL   += $(O)/selftests/bpf/nsprog $(O)/selftests/bpf/trace_test.sh
TESTS += $(O)/selftests/bpf/trace_test.sh

$(O)/selftests/bpf/nsprog: selftests/bpf/nsprog.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -pthread -o $@ $<

$(O)/selftests/bpf/trace_test.sh: selftests/bpf/trace_test.sh
	$(Q)mkdir -p $(dir $@)
	$(Q)install -m 755 $< $@
