# SPDX-License-Identifier: GPL-2.0-only
#
# nstaint top-level build.  Each part owns a build.mk fragment that this file
# includes; a fragment appends to:
#   ALL    files `make` builds (everything userspace + BPF)
#   TESTS  executables that print TAP when run with no argument; `make check`
#          runs them all in order, from the top of the tree, as root.
# Everything generated goes under $(O) (build/ by default).
#
# Quiet unless V=1, like the kernel and libbpf-bootstrap.

ifneq ($(KERNELRELEASE),)
# Invoked by kbuild (make -C <headers> M=$(PWD)): hand over to Kbuild.
include $(src)/Kbuild
else

O        ?= build
TOP      := $(abspath .)
CC       ?= cc
CLANG    ?= $(shell command -v clang-19 || command -v clang)
BPFTOOL  ?= $(shell command -v bpftool || echo /usr/sbin/bpftool)
GO       ?= go
# Absolute $(O), for recipes that change directory (go build).
OUT      := $(abspath $(O))

# x86-64 only: the BPF programs hook __x64_sys_* and read thread.fsbase,
# libmn switches stacks in x86-64 assembly (user/libmn/switch.S).
CC_MACHINE := $(shell $(CC) -dumpmachine 2>/dev/null)
ifeq ($(filter x86_64-%,$(CC_MACHINE)),)
$(error nstaint builds for x86-64 only, and $(CC) targets '$(or $(CC_MACHINE),nothing it would say)': \
	the BPF programs hook __x64_sys_* and read thread.fsbase, libmn's context switch is x86-64 assembly)
endif
ARCH      := x86
MULTIARCH := x86_64-linux-gnu

# -MMD -MP: every C object (and program built straight from C) writes
# its header dependencies next to it, included below.
# WERROR=1 (CI: .ci/run) makes every warning of the C, assembly and BPF
# compilers an error; the tree is warning-free with gcc and clang-19.
WERROR_FLAGS := $(if $(filter 1,$(WERROR)),-Werror)

CFLAGS   ?= -O2 -g
CFLAGS   += -Wall -Wextra -Wno-unused-parameter -std=gnu11 -D_GNU_SOURCE \
	    -I$(TOP)/include -I$(O) -MMD -MP $(WERROR_FLAGS)
LDFLAGS  ?=

# kselftest_harness.h comes from Debian's linux-source-6.1 tarball, extracted
# at build time (never committed).
KSRC_TAR ?= $(firstword $(wildcard /usr/src/linux-source-6.1.tar.xz))
KSFT_DIR := $(O)/kselftest
KSFT_HDR := $(KSFT_DIR)/kselftest_harness.h
TEST_CFLAGS = $(CFLAGS) -I$(KSFT_DIR) -pthread \
	      -Wno-missing-field-initializers -Wno-sign-compare

# BPF objects (CO-RE, clang only).
BPF_CFLAGS = -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall $(WERROR_FLAGS) -I$(O) -Iinclude -MMD -MP

# vmlinux.h for CO-RE BPF programs, generated from the running kernel's BTF.
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
VMLINUX_H   := $(O)/vmlinux.h

# Headers of the kernel the module is built against (newest 6.1 Debian one).
KDIR     ?= $(lastword $(sort $(wildcard /usr/src/linux-headers-6.1.*-amd64)))

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(patsubst $(TOP)/%,%,$(2))";
endif

# The lists the fragments append to.  Recursive (=) on purpose: a fragment
# may append $(VAR) of a fragment included after it, and the value is read
# only at the end.  For the same reason a prerequisite list that names
# another fragment's variable writes it $$(VAR) (.SECONDEXPANSION): the
# build must not depend on the order of the includes (selftests/make).
ALL          =
TESTS        =
VM_TESTS     =
VM_SCRIPTS   =
VM_FILES     =
NSTAINT_SRCS =
NSTAINT_LIBS =
NSTAINT_DEPS =

.SECONDEXPANSION:

.PHONY: all
all: real-all

# A recipe that fails leaves no half-written target behind to look fresh.
.DELETE_ON_ERROR:

# Every part's fragment, in any order (BUILD_MK: another order, for the
# test that proves the order does not matter, selftests/make).
BUILD_MK ?= $(sort $(wildcard */build.mk */*/build.mk))
include $(BUILD_MK)

# Header dependencies written by -MMD, wherever under $(O) the object is.
-include $(wildcard $(addprefix $(O)/,*.d */*.d */*/*.d */*/*/*.d */*/*/*/*.d))

.PHONY: real-all deps check run kmod clean help

real-all: $(ALL)

deps:
	$(Q)scripts/deps.sh

check: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)scripts/run-tests $(TESTS)

run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)scripts/run-main $(O)

kmod:
	$(Q)if [ -z "$(KDIR)" ]; then \
		echo "kmod: no linux-headers-6.1.*-amd64 under /usr/src; run scripts/deps.sh (skipped)"; \
	else \
		$(MAKE) -C $(KDIR) M=$(TOP) $(if $(V),V=$(V)) $(if $(WERROR_FLAGS),KCFLAGS=-Werror) modules; \
	fi

$(KSFT_HDR):
	$(call msg,EXTRACT,$@)
	$(Q)test -n "$(KSRC_TAR)" || { echo "linux-source-6.1 is not installed: run scripts/deps.sh" >&2; exit 1; }
	$(Q)mkdir -p $(KSFT_DIR)
	$(Q)tar -xJf $(KSRC_TAR) -C $(KSFT_DIR) --strip-components=4 \
		linux-source-6.1/tools/testing/selftests/kselftest_harness.h \
		linux-source-6.1/tools/testing/selftests/kselftest.h
	$(Q)touch $@

$(VMLINUX_H):
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)test -r $(VMLINUX_BTF) || { echo "$(VMLINUX_BTF) missing: this kernel has no BTF (CONFIG_DEBUG_INFO_BTF)" >&2; exit 1; }
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && mv $@.tmp $@

clean:
	$(call msg,CLEAN,)
	$(Q)rm -rf $(O)
	$(Q)if [ -n "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(TOP) clean >/dev/null 2>&1 || true; fi

help:
	@echo "make            build userspace and BPF into $(O)/"
	@echo "make run        install packages, build, run the main job"
	@echo "make check      install packages, build, run every test"
	@echo "make kmod       build nstaint.ko against $(or $(KDIR),<no headers>)"
	@echo "make V=1        show full commands"
	@echo "make WERROR=1   warnings are errors (CI)"

endif
