# mnrace: the race detector's runtime (build/libmnrace.a) and the
# compiler wrapper (build/mnrace-cc).  The runtime is never instrumented
# itself; it is built with clang-19 like the programs it checks.
# -mcx16: the 128-bit atomics use cmpxchg16b.
MNRACE_SRCS := $(sort $(wildcard user/mnrace/*.c))
MNRACE_OBJS := $(patsubst user/mnrace/%.c,$(O)/mnrace-rt/%.o,$(MNRACE_SRCS))
MNRACE_CFLAGS = -O2 -g -Wall -Wextra -Wno-unused-parameter -std=gnu11 -D_GNU_SOURCE \
	-Iinclude -fvisibility=hidden -fno-omit-frame-pointer -mcx16 -MMD -MP $(WERROR_FLAGS)
MNRACE_LIB := $(O)/libmnrace.a
MNRACE_CC  := $(O)/mnrace-cc

ALL += $(MNRACE_LIB) $(MNRACE_CC)

$(O)/mnrace-rt/%.o: user/mnrace/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(MNRACE_CFLAGS) -c -o $@ $<

$(MNRACE_LIB): $(MNRACE_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(MNRACE_CC): user/mnrace/mnrace-cc.in user/mnrace/build.mk
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)sed 's|@CLANG@|$(CLANG)|g;s|@LIB@|$(abspath $(MNRACE_LIB))|g' $< > $@.tmp
	$(Q)chmod +x $@.tmp && mv $@.tmp $@
