# mnrace: the race detector's runtime (build/libmnrace.a) and the
# compiler wrappers (build/mnrace-cc, build/mnrace-c++).  The runtime is never instrumented
# itself; it is built with clang-19 like the programs it checks.
# -mcx16: the 128-bit atomics use cmpxchg16b.
MNRACE_SRCS := $(sort $(wildcard user/mnrace/*.c))
MNRACE_OBJS := $(patsubst user/mnrace/%.c,$(O)/mnrace-rt/%.o,$(MNRACE_SRCS))
MNRACE_CFLAGS = -O2 -g -Wall -Wextra -Wno-unused-parameter -std=gnu11 -D_GNU_SOURCE \
	-Iinclude -fvisibility=hidden -fno-omit-frame-pointer -mcx16 -MMD -MP $(WERROR_FLAGS)
MNRACE_LIB := $(O)/libmnrace.a
MNRACE_CC  := $(O)/mnrace-cc
MNRACE_CXX := $(O)/mnrace-c++
CLANGXX    ?= $(shell command -v clang++-19 || command -v clang++)

MNRACE_VERSION := 0.1.0

ALL += $(MNRACE_LIB) $(MNRACE_CC) $(MNRACE_CXX) $(O)/mnrace.pc

$(O)/mnrace-rt/%.o: user/mnrace/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(MNRACE_CFLAGS) -c -o $@ $<

$(MNRACE_LIB): $(MNRACE_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

# One template, filled with NAME,LANG,COMPILER,ENV,LIB,LIBDIR,INC: its
# name, language, compiler, the variable that overrides it, mnrace's
# library, the directory of libmn.so (linked as a module of its own, so
# mnrace counts it as uninstrumented code; also the rpath) and the
# include directory (mn.h, mnrace.h), added after the caller's -I.  This
# tree's here; packaging/build.mk installs them with the installed ones.
mnrace_wrapper = sed 's|@NAME@|$(1)|g;s|@LANG@|$(2)|g;s|@CLANG@|$(3)|g;s|@ENV@|$(4)|g;s|@LIB@|$(5)|g;s|@LIBDIR@|$(6)|g;s|@INC@|$(7)|g' \
	user/mnrace/mnrace-cc.in

# mnrace_pc PREFIX,INCLUDEDIR,LIBDIR: the sed that fills mnrace.pc.in.
mnrace_pc = sed 's|@PREFIX@|$(1)|g;s|@INCLUDEDIR@|$(2)|g;s|@LIBDIR@|$(3)|g;s|@VERSION@|$(MNRACE_VERSION)|g'

$(O)/mnrace.pc: user/mnrace/mnrace.pc.in user/mnrace/build.mk
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(call mnrace_pc,$(TOP),$(TOP)/include,$(abspath $(O))) $< > $@

# The wrappers link libmn.so: whatever is built with them needs it built.
$(MNRACE_CC): user/mnrace/mnrace-cc.in user/mnrace/build.mk $(O)/libmn.so
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(call mnrace_wrapper,mnrace-cc,C,$(CLANG),MNRACE_CLANG,$(abspath $(MNRACE_LIB)),$(abspath $(O)),$(abspath include)) > $@.tmp
	$(Q)chmod +x $@.tmp && mv $@.tmp $@

$(MNRACE_CXX): user/mnrace/mnrace-cc.in user/mnrace/build.mk $(O)/libmn.so
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(call mnrace_wrapper,mnrace-c++,C++,$(CLANGXX),MNRACE_CLANGXX,$(abspath $(MNRACE_LIB)),$(abspath $(O)),$(abspath include)) > $@.tmp
	$(Q)chmod +x $@.tmp && mv $@.tmp $@

# The pass's entry points make no frame: their common case (the access
# already recorded) then saves no register at all.
$(O)/mnrace-rt/entry.o: MNRACE_CFLAGS += -fomit-frame-pointer
