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
