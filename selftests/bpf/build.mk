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

# The same selftests in the 6.1 VM (selftests/vm/run-vm-tests): the CO-RE
# object must work there as on the host.  The script needs bash and
# python3's json (with the few stdlib modules it imports) in the guest.
PY_LIB := /usr/lib/python3.11
VM_SCRIPTS += $(TRACE_TEST)
VM_FILES   += $(O)/nstaint $(NSFLIP) $(O)/selftests/go/leak scripts/tap.sh \
	/bin/bash /usr/bin/python3 $(wildcard $(PY_LIB)/*.py) \
	$(addprefix $(PY_LIB)/,encodings json collections re importlib) \
	$(wildcard $(PY_LIB)/lib-dynload/_json.*.so)
