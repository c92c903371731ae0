# Selftests.  Every selftests/<part>/*_test.c is a kselftest-harness
# program built to $(O)/selftests/<part>/<name> and run by `make check`.
# A part that needs more (BPF objects, Go programs, a VM) adds its own
# rules and TESTS entries in selftests/<part>/build.mk.

SELFTEST_SRCS := $(sort $(wildcard selftests/*/*_test.c))
SELFTEST_BINS := $(patsubst selftests/%.c,$(O)/selftests/%,$(SELFTEST_SRCS))
SELFTEST_LIBS := -ljson-c -lpthread

ALL   += $(SELFTEST_BINS)
TESTS += $(SELFTEST_BINS)

$(O)/selftests/%: selftests/%.c $(KSFT_HDR) $(wildcard selftests/*/*.h) include/nstaint/events.h
	$(call msg,TEST,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(TEST_CFLAGS) -Iselftests/lib -o $@ $(filter %.c,$^) $(SELFTEST_LIBS) $(SELFTEST_LIBS_$(notdir $@))
