# bench/mnrace: the same workloads built plain, with clang's TSan and with
# mnrace; `make bench-mnrace` builds the three and prints slowdowns and
# memory (bench/mnrace/run.sh; not in make check).  A program here is
# built as $(O)/bench/mnrace/NAME.plain, NAME.tsan and NAME.mnrace; a
# workload is one line of run.sh's table.
.PHONY: bench-mnrace

MNRACE_BENCH_PROGS := pthreads
MNRACE_BENCH_FLAGS := -O2 -g -Wall $(WERROR_FLAGS)
MNRACE_BENCH := $(foreach p,$(MNRACE_BENCH_PROGS),$(addprefix $(O)/bench/mnrace/$(p).,plain tsan mnrace)) \
	$(O)/bench/mnrace/maxrss

$(O)/bench/mnrace/maxrss: bench/mnrace/maxrss.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $<

$(O)/bench/mnrace/%.plain: bench/mnrace/%.c
	$(call msg,BENCH,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(MNRACE_BENCH_FLAGS) -o $@ $< -lpthread

$(O)/bench/mnrace/%.tsan: bench/mnrace/%.c
	$(call msg,BENCH,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(MNRACE_BENCH_FLAGS) -fsanitize=thread -o $@ $<

$(O)/bench/mnrace/%.mnrace: bench/mnrace/%.c $$(MNRACE_CC) $$(MNRACE_LIB)
	$(call msg,BENCH,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(MNRACE_CC) $(MNRACE_BENCH_FLAGS) -o $@ $<

# libmn's benchmark (bench/libmn/mnbench.c), the same three ways: plain
# against libmn.a, TSan against libmn's release-built TSan flavour
# (fiber switches without happens-before, its edges annotated), mnrace
# through mnrace-cc (libmn.so).
MNRACE_BENCH += $(addprefix $(O)/bench/mnrace/mnbench.,plain tsan mnrace)

$(O)/bench/mnrace/mnbench.plain: bench/libmn/mnbench.c $(O)/libmn.a include/mn.h
	$(call msg,BENCH,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(MNRACE_BENCH_FLAGS) -Iinclude -o $@ $< $(O)/libmn.a -lpthread

$(O)/bench/mnrace/mnbench.tsan: bench/libmn/mnbench.c $(O)/libmn-tsanrel.a include/mn.h
	$(call msg,BENCH,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(MNRACE_BENCH_FLAGS) -Iinclude -fsanitize=thread -o $@ $< $(O)/libmn-tsanrel.a -lpthread

$(O)/bench/mnrace/mnbench.mnrace: bench/libmn/mnbench.c $$(MNRACE_CC) $$(MNRACE_LIB) $(O)/libmn.so include/mn.h
	$(call msg,BENCH,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(MNRACE_CC) $(MNRACE_BENCH_FLAGS) -o $@ $<

bench-mnrace: $(MNRACE_BENCH)
	$(Q)bench/mnrace/run.sh $(O)

# Sampling (MNRACE_OPTIONS=sample=P): `make bench-mnrace-sample` times the
# workloads above plain, with full mnrace and sampled, and measures how
# often sampling finds racy.c's race (bench/mnrace/sample.sh).
.PHONY: bench-mnrace-sample

bench-mnrace-sample: $(MNRACE_BENCH) $(O)/bench/mnrace/racy.mnrace
	$(Q)bench/mnrace/sample.sh $(O)
