# bench/ps: `nstaint ps` through the BPF task iterator and through /proc,
# with lsns beside, on a host the bench fills with 10,000 threads (not in
# make check).  `make bench-ps`; PS_THREADS, PS_PROCS, ROUNDS,
# PS_BASELINE=another nstaint binary to time beside (an older build).
.PHONY: bench-ps

$(O)/bench/ps/threadfarm: bench/ps/threadfarm.c
	$(call msg,BENCH,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -pthread -o $@ $<

ALL += $(O)/bench/ps/threadfarm

bench-ps: $(O)/nstaint $(O)/bench/ps/threadfarm
	$(Q)bench/ps/run.sh $(O)
