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

ALL += $(MNRACE_LIB) $(MNRACE_CC) $(MNRACE_CXX)

$(O)/mnrace-rt/%.o: user/mnrace/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(MNRACE_CFLAGS) -c -o $@ $<

$(MNRACE_LIB): $(MNRACE_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

# One template: name, language, compiler and the variable that overrides it.
# The wrappers link libmn.so (a module of its own, so mnrace counts it
# as uninstrumented code) from the build tree, and add include/ (mn.h,
# mnrace.h) after the caller's -I directories.
mnrace_wrapper = sed 's|@NAME@|$(notdir $@)|g;s|@LANG@|$(1)|g;s|@CLANG@|$(2)|g;s|@ENV@|$(3)|g;s|@LIB@|$(abspath $(MNRACE_LIB))|g;s|@LIBDIR@|$(abspath $(O))|g;s|@INC@|$(abspath include)|g' $< > $@.tmp

$(MNRACE_CC): user/mnrace/mnrace-cc.in user/mnrace/build.mk
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(call mnrace_wrapper,C,$(CLANG),MNRACE_CLANG)
	$(Q)chmod +x $@.tmp && mv $@.tmp $@

$(MNRACE_CXX): user/mnrace/mnrace-cc.in user/mnrace/build.mk
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(call mnrace_wrapper,C++,$(CLANGXX),MNRACE_CLANGXX)
	$(Q)chmod +x $@.tmp && mv $@.tmp $@
