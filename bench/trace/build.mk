# bench/trace: overhead of `nstaint trace` with nothing tainted and with a
# thread tainted elsewhere, recall beside it, --exact's cost to the traced
# Go process, and record throughput under a storm (not in make check).
# `make bench-trace`; BENCH_ONLY=tainted runs only the new parts.
.PHONY: bench-trace

$(O)/bench/trace/getppid: bench/trace/getppid.c
	$(call msg,BENCH,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $<

bench-trace: $(O)/nstaint $(O)/bench/trace/getppid $(DRAINBENCH) $(O)/selftests/bpf/nsflip \
	     $(O)/selftests/bpf/mnleak $(O)/selftests/go/sockns $(O)/selftests/go/onthread \
	     selftests/lib/recall.py
	$(Q)bench/trace/run.sh $(O)

# The drain-rate benchmark (drainbench.c): a BPF program fills a ring of
# the default size, the drain stage's path empties it into the queue.
DRAINBENCH     := $(O)/bench/trace/drainbench
DRAINBENCH_OBJ := $(O)/bench/trace/fill.bpf.o
DRAINBENCH_SKEL := $(O)/bench/trace/fill.skel.h

$(DRAINBENCH_OBJ): bench/trace/fill.bpf.c include/nstaint/events.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(BPF_SYS_INC) -c $< -o $@

$(DRAINBENCH_SKEL): $(DRAINBENCH_OBJ)
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name fill_bpf > $@.tmp && mv $@.tmp $@

$(DRAINBENCH): bench/trace/drainbench.c $(DRAINBENCH_SKEL) $(O)/user/nstaint/pipeline/queue.o
	$(call msg,BENCH,$@)
	$(Q)$(CC) $(CFLAGS) -I$(O)/bench/trace -Iuser -Iuser/nstaint -o $@ $< \
		$(O)/user/nstaint/pipeline/queue.o -lbpf -lpthread

ALL += $(DRAINBENCH)
