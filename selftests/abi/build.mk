# The ABI test reads the BTF of the event header compiled for BPF.
ABI_PROBE := $(O)/selftests/abi/abi_probe.bpf.o
SELFTEST_LIBS_abi_test := -lbpf

ALL += $(ABI_PROBE)
$(O)/selftests/abi/abi_test: $(ABI_PROBE)

$(ABI_PROBE): selftests/abi/abi_probe.bpf.c include/nstaint/events.h $(VMLINUX_H)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# The libmn runtime contract (mn_abi.h) the same way, and libmn.so's name.
MN_ABI_PROBE := $(O)/selftests/abi/mn_abi_probe.bpf.o
SELFTEST_LIBS_mn_abi_test := -lbpf

ALL += $(MN_ABI_PROBE)
$(O)/selftests/abi/mn_abi_test: $(MN_ABI_PROBE) $(O)/libmn.so

$(MN_ABI_PROBE): selftests/abi/mn_abi_probe.bpf.c include/nstaint/mn_abi.h $(VMLINUX_H)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@
