# Selftests of `nstaint trace` and the BPF programs: a TAP shell script
# driving the real binary on real programs (Go leak demo, nsflip).
TRACE_TEST := $(O)/selftests/bpf/trace_test
NSFLIP     := $(O)/selftests/bpf/nsflip

ALL   += $(TRACE_TEST) $(NSFLIP)
TESTS += $(TRACE_TEST)

$(NSFLIP): selftests/bpf/nsflip.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -pthread -o $@ $<

$(TRACE_TEST): selftests/bpf/trace_test.sh $(NSFLIP) $(O)/nstaint $(O)/selftests/go/leak
	$(call msg,INSTALL,$@)
	$(Q)install -m 755 $< $@
