# Selftests of `nstaint trace` and the BPF programs: a TAP shell script
# driving the real binary on real programs (Go leak demo, nsflip).
TRACE_TEST := $(O)/selftests/bpf/trace_test
NSFLIP     := $(O)/selftests/bpf/nsflip

ALL   += $(TRACE_TEST) $(NSFLIP)
TESTS += $(TRACE_TEST)

# libmn task attribution: real libmn programs (static libmn.a) under trace.
LIBMN_TEST := $(O)/selftests/bpf/libmn_test
MNLEAK     := $(O)/selftests/bpf/mnleak

ALL   += $(LIBMN_TEST) $(MNLEAK)
TESTS += $(LIBMN_TEST)

$(MNLEAK): selftests/bpf/mnleak.c selftests/lib/rawthread.h $(O)/libmn.a include/mn.h include/nstaint/mn_abi.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(O)/libmn.a -lpthread

# The same program on libmn.so (found through the loader's maps).
MNLEAK_SO  := $(O)/selftests/bpf/mnleak-so
ALL        += $(MNLEAK_SO)

$(MNLEAK_SO): selftests/bpf/mnleak.c selftests/lib/rawthread.h $(O)/libmn.so include/mn.h include/nstaint/mn_abi.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $< -L$(O) -lmn -lpthread -Wl,-rpath,$(abspath $(O))

$(LIBMN_TEST): selftests/bpf/libmn_test.sh selftests/lib/jcount.py selftests/lib/testlib.sh $(MNLEAK) $(MNLEAK_SO) $(O)/nstaint
	$(call msg,INSTALL,$@)
	$(Q)install -m 755 $< $@

$(NSFLIP): selftests/bpf/nsflip.c selftests/lib/rawthread.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -pthread -o $@ $<

$(TRACE_TEST): selftests/bpf/trace_test.sh selftests/lib/jcount.py selftests/lib/testlib.sh $(NSFLIP) $(O)/nstaint $(O)/selftests/go/leak
	$(call msg,INSTALL,$@)
	$(Q)install -m 755 $< $@

# Legal patterns of real programs (Go correct pattern, os/exec, C exec),
# and `nstaint top` in batch mode and in tmux.
PATTERNS_TEST := $(O)/selftests/bpf/patterns_test
TOP_TEST      := $(O)/selftests/bpf/top_test

ALL   += $(PATTERNS_TEST) $(TOP_TEST)
TESTS += $(PATTERNS_TEST) $(TOP_TEST)

$(PATTERNS_TEST): selftests/bpf/patterns_test.sh selftests/lib/testlib.sh selftests/lib/jcount.py $(NSFLIP) $(O)/nstaint \
		  $(O)/selftests/go/nscorrect $(O)/selftests/go/nsexec
	$(call msg,INSTALL,$@)
	$(Q)install -m 755 $< $@

$(TOP_TEST): selftests/bpf/top_test.sh selftests/lib/testlib.sh $(O)/nstaint $(O)/selftests/go/leak $(MNLEAK) \
		$$(MNREPORT_SO)
	$(call msg,INSTALL,$@)
	$(Q)install -m 755 $< $@

# The same selftests run in the 6.1 VM too (selftests/vm/run-vm-tests, in
# make check): the CO-RE object must load and work there as on the host,
# and trace_test's first check fails loudly, with nstaint's error, when it
# does not.  To enroll another BPF test script from your part's build.mk:
#   VM_SCRIPTS += $(YOUR_TEST)       run from the top of the tree as root,
#                                    TAP names prefixed "vm-6.1"
#   VM_FILES   += what it runs       built files (relative paths) or system
#                                    files (absolute; dynamic binaries get
#                                    their libraries, directories are copied)
# The guest is busybox (its sh, ps, true...): bash and python3's json
# (with the stdlib modules it imports) are below; add what else your
# script needs.  Keep it fast: the whole VM run should stay under about
# 3 minutes (TCG is slow).
# One script alone (command-line variables, so MAKEFLAGS):
#   MAKEFLAGS="VM_TESTS= VM_SCRIPTS=build/selftests/bpf/trace_test" \
#   selftests/vm/run-vm-tests
VM_SCRIPTS += $(TRACE_TEST) $(LIBMN_TEST)
PY_LIB := /usr/lib/python3.11
VM_FILES   += $(O)/nstaint $(NSFLIP) $(O)/selftests/go/leak scripts/tap.sh selftests/lib/jcount.py selftests/lib/testlib.sh \
	/bin/bash /usr/bin/python3 $(wildcard $(PY_LIB)/*.py) \
	$(addprefix $(PY_LIB)/,encodings json collections re importlib) \
	$(wildcard $(PY_LIB)/lib-dynload/_json.*.so) $(MNLEAK) $(MNLEAK_SO) /usr/sbin/bpftool

# User stacks and symbolization (stack_test.sh): a C program with known
# frames, built so that the kernel's frame-pointer walk and DWARF see them.
STACK_TEST := $(O)/selftests/bpf/stack_test
STACKPROG  := $(O)/selftests/bpf/stackprog

ALL   += $(STACK_TEST) $(STACKPROG)
TESTS += $(STACK_TEST)

$(STACKPROG): selftests/bpf/stackprog.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -O0 -g -fno-omit-frame-pointer -pthread -o $@ $<

$(STACK_TEST): selftests/bpf/stack_test.sh selftests/lib/testlib.sh selftests/lib/jcount.py $(STACKPROG) $(O)/nstaint $(O)/selftests/go/leak
	$(call msg,INSTALL,$@)
	$(Q)install -m 755 $< $@

# Go attribution across builds (gosym_test.sh): DWARF, version table,
# unknown stripped version, cgo.
GOSYM_TEST := $(O)/selftests/bpf/gosym_test

ALL   += $(GOSYM_TEST)
TESTS += $(GOSYM_TEST)

$(GOSYM_TEST): selftests/bpf/gosym_test.sh selftests/lib/testlib.sh selftests/lib/jcount.py $(STACKPROG) $(O)/nstaint $(O)/selftests/go/leak \
		$(O)/selftests/go/cgoleak $$(GO_STRIPPED)
	$(call msg,INSTALL,$@)
	$(Q)install -m 755 $< $@

# In the 6.1 guest too: user stacks (bpf_get_stack's frame-pointer walk)
# depend on the kernel.  gosym_test and patterns_test pass there as well
# (seen: 12 and 9 of theirs), but add about 45 s for code the guest does
# not change (DWARF, tables; exec and clone following are in trace_test
# already), and the VM part must stay under about 3 minutes: left on the
# host.  top_test needs tmux and a terminal, which the guest lacks.
VM_SCRIPTS += $(STACK_TEST)
VM_FILES   += $(STACKPROG) selftests/go/leak/main.go

# trace --lazy (lazy_test.sh): no syscall hook, changes seen at switches.
LAZY_TEST := $(O)/selftests/bpf/lazy_test

ALL   += $(LAZY_TEST)
TESTS += $(LAZY_TEST)

$(LAZY_TEST): selftests/bpf/lazy_test.sh selftests/lib/jcount.py selftests/lib/testlib.sh $(NSFLIP) $(O)/nstaint $(O)/selftests/go/leak
	$(call msg,INSTALL,$@)
	$(Q)install -m 755 $< $@

# -p PID of ps, trace and top (pidopt_test.sh): one parser, one message.
PIDOPT_TEST := $(O)/selftests/bpf/pidopt_test

ALL   += $(PIDOPT_TEST)
TESTS += $(PIDOPT_TEST)

$(PIDOPT_TEST): selftests/bpf/pidopt_test.sh selftests/lib/testlib.sh $(O)/nstaint
	$(call msg,INSTALL,$@)
	$(Q)install -m 755 $< $@

# Failures of the BPF backend caused for real (bpffail_test.sh): ring
# consumer not mappable, possible CPUs unreadable; nothing left stopped.
BPFFAIL_TEST := $(O)/selftests/bpf/bpffail_test

ALL   += $(BPFFAIL_TEST)
TESTS += $(BPFFAIL_TEST)

$(BPFFAIL_TEST): selftests/bpf/bpffail_test.sh selftests/lib/testlib.sh $(O)/nstaint
	$(call msg,INSTALL,$@)
	$(Q)install -m 755 $< $@

# The exec-hold path under an exec storm (execstorm_test.sh): the events
# ring is read while execs are checked; nothing is left stopped.
EXECSTORM_TEST := $(O)/selftests/bpf/execstorm_test
EXECSTORM      := $(O)/selftests/bpf/execstorm

ALL   += $(EXECSTORM_TEST) $(EXECSTORM)
TESTS += $(EXECSTORM_TEST)

$(EXECSTORM): selftests/bpf/execstorm.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -pthread -o $@ $<

$(EXECSTORM_TEST): selftests/bpf/execstorm_test.sh selftests/lib/testlib.sh selftests/lib/jcount.py $(EXECSTORM) $(O)/selftests/go/execloop $(O)/nstaint
	$(call msg,INSTALL,$@)
	$(Q)install -m 755 $< $@

# System call attribution against the kernel's ground truth
# (syscall_test.sh): Go sockets and mounts, libmn uname, the correct
# pattern, --fail-on-taint under load.  In the 6.1 guest too, fewer runs.
SYSCALL_TEST := $(O)/selftests/bpf/syscall_test

ALL   += $(SYSCALL_TEST)
TESTS += $(SYSCALL_TEST)

$(SYSCALL_TEST): selftests/bpf/syscall_test.sh selftests/lib/testlib.sh selftests/lib/recall.py $(O)/nstaint $(MNLEAK) \
		$(O)/selftests/go/sockns $(O)/selftests/go/leak $(O)/selftests/go/nscorrect \
		$(O)/selftests/go/onthread selftests/lib/jcount.py
	$(call msg,INSTALL,$@)
	$(Q)install -m 755 $< $@

VM_SCRIPTS += $(SYSCALL_TEST)
VM_FILES   += $(O)/selftests/go/sockns $(O)/selftests/go/nscorrect $(O)/selftests/go/onthread \
	selftests/lib/recall.py
