# nstaint CLI.  NSTAINT_SRCS is extended by other parts (e.g. the BPF
# backend) that link into the same binary.
NSTAINT_SRCS += $(addprefix user/nstaint/,main.c cliopt.c ps.c snapshot.c nsset.c strout.c record.c tracker.c)
NSTAINT_LIBS +=
NSTAINT_DEPS +=
NSTAINT_OBJS  = $(patsubst %.c,$(O)/%.o,$(NSTAINT_SRCS))

ALL += $(O)/nstaint

$(O)/nstaint: $$(NSTAINT_OBJS)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(NSTAINT_LIBS)

$(O)/user/%.o: user/%.c $$(NSTAINT_DEPS) | $(O)/nstaint-dirs
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

.PHONY: $(O)/nstaint-dirs
$(O)/nstaint-dirs:
	$(Q)mkdir -p $(O)/user/nstaint
