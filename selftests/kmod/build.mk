# nstaint.ko selftests, run in the 6.1 VM (selftests/vm/run-vm-tests; the
# rule building $(O)/selftests/kmod/% is in selftests/vm/build.mk):
#   kmod_vmtest   device basics, overflow, clone from tainted
#   kmod_events   per-thread records, causes, user ns, exec, blocked
#                 readers, home sets freed, following a tree
#   kmod_stress   30 s of churn, rmmod under load, 20 load/unload cycles
#   trace_kmod.sh `nstaint trace --backend=kmod` on real programs
#   top_kmod.sh   `nstaint top --backend=kmod -b` on the Go leak demo
# In this order: the stress runs last, so a stress that dies with the
# module loaded does not fail the others.
KMOD_VM_BINS := $(addprefix $(O)/selftests/kmod/,kmod_vmtest kmod_events kmod_stress)
VM_TESTS   += $(KMOD_VM_BINS)
VM_SCRIPTS += selftests/kmod/trace_kmod.sh selftests/kmod/top_kmod.sh
VM_FILES   += $(O)/nstaint $(O)/selftests/bpf/nsflip $(O)/selftests/go/leak \
	scripts/tap.sh selftests/lib/testlib.sh

$(KMOD_VM_BINS): selftests/kmod/kmod_lib.h selftests/lib/rawthread.h include/nstaint/dev.h
