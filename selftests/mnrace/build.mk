# mnrace selftests: small pthread programs built with build/mnrace-cc,
# each with a racy and a race-free variant (progs/racetest.h), driven by
# mnrace_test.sh, which checks each report's two lines against marks in
# the sources.
MNRACE_PROGS := $(patsubst selftests/mnrace/progs/%.c,$(O)/selftests/mnrace/progs/%,\
		  $(sort $(wildcard selftests/mnrace/progs/*.c))) \
		$(patsubst selftests/mnrace/progs/%.cpp,$(O)/selftests/mnrace/progs/%,\
		  $(sort $(wildcard selftests/mnrace/progs/*.cpp)))
MNRACE_TEST  := $(O)/selftests/mnrace/mnrace_test

ALL   += $(MNRACE_PROGS) $(MNRACE_TEST)
TESTS += $(MNRACE_TEST)

$(O)/selftests/mnrace/progs/%: selftests/mnrace/progs/%.c selftests/mnrace/progs/racetest.h \
		include/mnrace.h $$(MNRACE_CC) $$(MNRACE_LIB) $(O)/libmn.so
	$(call msg,MNRACE,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(MNRACE_CC) -O1 -Wall -Iinclude -o $@ $<

$(O)/selftests/mnrace/progs/%: selftests/mnrace/progs/%.cpp selftests/mnrace/progs/racetest.h \
		include/mnrace.h $$(MNRACE_CXX) $$(MNRACE_LIB)
	$(call msg,MNRACE,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(MNRACE_CXX) -O1 -Wall -Iinclude -o $@ $<

$(MNRACE_TEST): selftests/mnrace/mnrace_test.sh $$(MNRACE_PROGS)
	$(call msg,INSTALL,$@)
	$(Q)install -m 755 $< $@

# TSan's own tests (compiler-rt/test/tsan) under mnrace: the sources come
# from Debian's llvm-toolchain-19 source package at build time
# (scripts/tsan-tests.sh, once; never kept in the tree); tsan_suite.py
# picks the eligible ones, builds them with mnrace-cc and checks their
# CHECK lines with FileCheck (llvm-19-tools).
TSAN_TESTS  := $(O)/tsan-tests
TSAN_SUITE  := $(O)/selftests/mnrace/tsan_suite_test

ALL   += $(TSAN_SUITE)
TESTS += $(TSAN_SUITE)

$(TSAN_TESTS)/VERSION: scripts/tsan-tests.sh
	$(call msg,FETCH,$(TSAN_TESTS))
	$(Q)scripts/tsan-tests.sh $(TSAN_TESTS)

$(TSAN_SUITE): selftests/mnrace/tsan_suite.py $(TSAN_TESTS)/VERSION \
		$$(MNRACE_CC) $$(MNRACE_CXX) $$(MNRACE_LIB)
	$(call msg,INSTALL,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)install -m 755 $< $@

# libmn's own test suite built with mnrace-cc (mnrace_test.sh runs it and
# expects no report).  Left out: mn_contract_test, which calls libmn's
# hidden internals, which only libmn.a has (mnrace needs libmn as the
# shared library it counts as uninstrumented).
MNRACE_LIBMN_SUITE := $(patsubst %,$(O)/selftests/mnrace/libmn/%,mn_sched_test mn_chan_test \
			mn_net_ctx_test mn_thread_test)
ALL += $(MNRACE_LIBMN_SUITE)

$(O)/selftests/mnrace/libmn/%: selftests/libmn/%.c selftests/libmn/mn_testlib.h \
		$$(MNRACE_CC) $$(MNRACE_LIB) $(O)/libmn.so $(KSFT_HDR)
	$(call msg,MNRACE,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(MNRACE_CC) $(TEST_CFLAGS) -O1 -o $@ $< -lm

$(MNRACE_TEST): $(MNRACE_LIBMN_SUITE)

# mnrace's reports on the report ring (ring_test.c): nstaint's reader
# and registry finder, and the racy libmn program it runs.
SELFTEST_LIBS_ring_test := -Iuser -Iuser/nstaint $(O)/user/nstaint/source/mnring_reader.o \
	$(O)/user/nstaint/attr/mnattr.o $(O)/user/common/elfscn.o -lelf
$(O)/selftests/mnrace/ring_test: $(O)/user/nstaint/source/mnring_reader.o \
	$(O)/user/nstaint/attr/mnattr.o $(O)/user/common/elfscn.o \
	$(O)/selftests/mnrace/progs/mn_ring include/nstaint/mn_ring.h

# mnrace's races through the report ring to `nstaint trace --json
# --fail-on-race`, end to end, on the seed patterns.
RACE_TRACE_TEST := $(O)/selftests/mnrace/race_trace_test

ALL   += $(RACE_TRACE_TEST)
TESTS += $(RACE_TRACE_TEST)

$(RACE_TRACE_TEST): selftests/mnrace/race_trace_test.sh selftests/lib/jcount.py \
		selftests/lib/testlib.sh $$(MNRACE_PROGS) $(O)/nstaint
	$(call msg,INSTALL,$@)
	$(Q)install -m 755 $< $@
