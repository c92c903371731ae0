# bench/libmn: libmn against Go 1.19 on the same workloads (not in make
# check).  `make bench-libmn` builds both sides and prints the table.
.PHONY: bench-libmn

$(O)/bench/libmn/mnbench: bench/libmn/mnbench.c $(O)/libmn.a include/mn.h
	$(call msg,BENCH,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(O)/libmn.a -lpthread

$(O)/bench/libmn/gobench: bench/libmn/go/main.go
	$(call msg,GO,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)cd bench/libmn/go && env GOCACHE=$(OUT)/gocache GOPATH=$(OUT)/gopath \
		GO111MODULE=off CGO_ENABLED=0 $(GO) build -o $(abspath $@) .

# The kernel's own cost of echo_1000's requests, first round and later
# (bench/libmn/coldconn.c), printed by run.sh beside the table.
$(O)/bench/libmn/coldconn: bench/libmn/coldconn.c
	$(call msg,BENCH,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $<

bench-libmn: $(O)/bench/libmn/mnbench $(O)/bench/libmn/gobench $(O)/bench/libmn/coldconn
	$(Q)bench/libmn/run.sh $(O)

# The echo under stalled threads (bench/libmn/stall.sh): not in make check.
.PHONY: bench-libmn-stall

$(O)/bench/libmn/stall: bench/libmn/stall.c
	$(call msg,BENCH,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $<

bench-libmn-stall: $(O)/bench/libmn/mnbench $(O)/bench/libmn/gobench $(O)/bench/libmn/stall
	$(Q)bench/libmn/stall.sh $(O)
