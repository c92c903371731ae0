# BPF selftests: a C helper that changes namespaces from pthreads, and a
# TAP shell test driving `nstaint trace` against it and the Go programs.

BPF_TEST_SCRIPTS := $(O)/selftests/bpf/trace_test.sh $(O)/selftests/bpf/top_test.sh

ALL   += $(O)/selftests/bpf/nsprog $(BPF_TEST_SCRIPTS)
TESTS += $(BPF_TEST_SCRIPTS)

$(O)/selftests/bpf/nsprog: selftests/bpf/nsprog.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -pthread -o $@ $<

$(O)/selftests/bpf/%.sh: selftests/bpf/%.sh
	$(Q)mkdir -p $(dir $@)
	$(Q)install -m 755 $< $@
