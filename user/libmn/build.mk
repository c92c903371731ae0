# libmn: the M:N task runtime.  Built as build/libmn.a and build/libmn.so
# (same -fPIC objects, only mn_* and mn_nstaint_registry exported; the
# file is libmn.so.$(LIBMN_VERSION), SONAME libmn.so.0, since mn.h exposes
# struct layouts: an incompatible change bumps the 0), plus
# build/libmn.pc for in-tree use (PKG_CONFIG_PATH=build) and sanitizer
# builds of the library for the ASan/TSan test binaries (selftests/libmn).
LIBMN_SRCS := $(addprefix user/libmn/,proc.c lock_futex.c stack.c syscall.c \
		sysmon.c registry.c init.c thread.c timer.c chan.c sync.c \
		netpoll.c ctx.c debug.c ring.c switch.S) user/common/nsset.c user/common/mnring.c
LIBMN_HDRS := include/mn.h include/nstaint/mn_abi.h include/nstaint/events.h \
		user/libmn/internal.h user/libmn/runq.h user/libmn/waitq.h user/libmn/frame.h \
		user/common/nsset.h user/common/mnring.h include/nstaint/mn_ring.h user/libmn/ring.h \
		user/libmn/race.h include/nstaint/mnrace_abi.h
# -fcf-protection=branch: endbr64 everywhere (switch.S has _CET_ENDBR), so
# the library is IBT-compatible; no shadow-stack claim (switch.S).
# make LIBMN_DEBUG=1: the contract checks that cost more than a load and a
# compare on a hot path (mn_dcheck, internal.h) are compiled in.  The
# sanitizer flavours always have them.
LIBMN_DEBUG_FLAGS = $(if $(filter 1,$(LIBMN_DEBUG)),-DMN_DEBUG)
LIBMN_CFLAGS = $(CFLAGS) -Iuser -fPIC -fvisibility=hidden -fno-omit-frame-pointer -fcf-protection=branch \
		$(LIBMN_DEBUG_FLAGS)

# objects per flavour: $(O)/libmn-<flavour>/<src>.o
libmn_objs = $(patsubst %,$(O)/libmn-$(1)/%.o,$(LIBMN_SRCS))

LIBMN_VERSION := 0.1.0
LIBMN_SONAME  := libmn.so.0

ALL += $(O)/libmn.a $(O)/libmn.so $(O)/$(LIBMN_SONAME) $(O)/libmn.pc

$(O)/libmn-std/%.c.o: %.c $(LIBMN_HDRS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(LIBMN_CFLAGS) -c -o $@ $<

$(O)/libmn-std/%.S.o: %.S user/libmn/frame.h
	$(call msg,AS,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(LIBMN_CFLAGS) -c -o $@ $<

$(O)/libmn.a: $(call libmn_objs,std)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(O)/libmn.so.$(LIBMN_VERSION): $(call libmn_objs,std)
	$(call msg,LD,$@)
	$(Q)$(CC) -shared -Wl,-soname,$(LIBMN_SONAME) -Wl,-z,now -o $@ $^ -lpthread

# The usual links: libmn.so.0 for the loader, libmn.so for -lmn.
$(O)/$(LIBMN_SONAME): $(O)/libmn.so.$(LIBMN_VERSION)
	$(Q)ln -sfn $(notdir $<) $@
$(O)/libmn.so: $(O)/$(LIBMN_SONAME)
	$(Q)ln -sfn $(notdir $<) $@

# libmn_pc PREFIX,INCLUDEDIR,LIBDIR: the sed that fills libmn.pc.in.
libmn_pc = sed 's|@PREFIX@|$(1)|g;s|@INCLUDEDIR@|$(2)|g;s|@LIBDIR@|$(3)|g;s|@VERSION@|$(LIBMN_VERSION)|g'

$(O)/libmn.pc: user/libmn/libmn.pc.in
	$(call msg,GEN,$@)
	$(Q)$(call libmn_pc,$(TOP),$(TOP)/include,$(abspath $(O))) $< > $@

# Sanitizer flavours (gcc: both sanitizers and their fiber APIs), and a
# clang-19 flavour: libmn and its tests must build (warning-free) and pass
# with both compilers, whatever CC is.
SAN_CC ?= gcc
LIBMN_SAN_asan := -fsanitize=address -fno-omit-frame-pointer -DMN_DEBUG
LIBMN_SAN_tsan := -fsanitize=thread -DMN_DEBUG
LIBMN_SAN_clang :=
# How the library itself is compiled in each flavour.  The TSan flavour is
# not instrumented: TSan must not see the runtime's own accesses (its run
# queues, its locks), only the edges race.h tells it (-DMN_TSAN).
LIBMN_LIB_asan  = $(LIBMN_SAN_asan)
LIBMN_LIB_tsan := -DMN_TSAN -DMN_DEBUG
LIBMN_LIB_clang = $(LIBMN_SAN_clang)
LIBMN_CC_asan  = $(SAN_CC)
LIBMN_CC_tsan  = $(SAN_CC)
LIBMN_CC_clang = $(CLANG)
# The TSan flavour built as the release library is (clang-19, -O2, no
# debug-only contract checks): bench/mnrace's TSan peer, so the compared
# runtimes differ only in the detector.
LIBMN_LIB_tsanrel := -DMN_TSAN -O2
LIBMN_CC_tsanrel   = $(CLANG)

define libmn_san
$(O)/libmn-$(1)/%.c.o: %.c $(LIBMN_HDRS)
	$$(call msg,CC,$$@)
	$$(Q)mkdir -p $$(dir $$@)
	$$(Q)$$(LIBMN_CC_$(1)) $$(CFLAGS) -Iuser -O1 $(LIBMN_LIB_$(1)) -c -o $$@ $$<

$(O)/libmn-$(1)/%.S.o: %.S user/libmn/frame.h
	$$(call msg,AS,$$@)
	$$(Q)mkdir -p $$(dir $$@)
	$$(Q)$$(LIBMN_CC_$(1)) $$(CFLAGS) -c -o $$@ $$<

$(O)/libmn-$(1).a: $(call libmn_objs,$(1))
	$$(call msg,AR,$$@)
	$$(Q)rm -f $$@ && ar rcs $$@ $$^
endef
$(eval $(call libmn_san,asan))
$(eval $(call libmn_san,tsan))
$(eval $(call libmn_san,clang))
$(eval $(call libmn_san,tsanrel))

# Tests: selftests/libmn/*_test.c are built by selftests/build.mk; they
# link libmn.a.
LIBMN_TESTS := $(patsubst selftests/libmn/%.c,%,$(wildcard selftests/libmn/*_test.c))
$(foreach t,$(LIBMN_TESTS),$(eval SELFTEST_LIBS_$(t) := $(O)/libmn.a -lm))
$(foreach t,$(LIBMN_TESTS),$(eval $(O)/selftests/libmn/$(t): $(O)/libmn.a include/mn.h))
# mn_contract_test calls the runtime's internal helpers (internal.h,
# which includes user/common/).
$(O)/selftests/libmn/mn_contract_test: $(LIBMN_HDRS)
SELFTEST_LIBS_mn_contract_test += -Iuser

# The runtime's own tests again under AddressSanitizer and ThreadSanitizer
# (libmn annotates its context switches with the sanitizers' fiber APIs),
# and built with clang-19.
LIBMN_SAN_TESTS := mn_sched_test mn_chan_test mn_net_ctx_test mn_thread_test
define libmn_san_test
$(O)/selftests/libmn/$(1)/$(2): selftests/libmn/$(2).c selftests/libmn/san_options.c selftests/libmn/mn_testlib.h $(O)/libmn-$(1).a $(KSFT_HDR)
	$$(call msg,TEST,$$@)
	$$(Q)mkdir -p $$(dir $$@)
	$$(Q)$$(LIBMN_CC_$(1)) $$(TEST_CFLAGS) -O1 $(LIBMN_SAN_$(1)) -o $$@ selftests/libmn/$(2).c selftests/libmn/san_options.c $(O)/libmn-$(1).a -lm -lpthread
ALL += $(O)/selftests/libmn/$(1)/$(2)
TESTS += $(O)/selftests/libmn/$(1)/$(2)
endef
$(foreach f,asan tsan clang,$(foreach t,$(LIBMN_SAN_TESTS),$(eval $(call libmn_san_test,$(f),$(t)))))
