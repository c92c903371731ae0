# nstaint CLI.  NSTAINT_SRCS is extended by other parts (e.g. the BPF
# backend) that link into the same binary.
NSTAINT_SRCS += $(addprefix user/nstaint/,cmd/main.c cmd/cliopt.c cmd/ps.c source/snapshot.c \
		model/record.c model/tracker.c model/syscalls.c) \
		user/common/nsset.c user/common/strout.c
NSTAINT_LIBS +=
NSTAINT_DEPS +=

# The x86-64 system call names, generated from the installed uapi header
# (one "[nr] = \"name\"," line per __NR_ definition): the one table.
UNISTD_64 ?= /usr/include/x86_64-linux-gnu/asm/unistd_64.h

$(O)/syscall_names.h: $(UNISTD_64) user/nstaint/build.mk
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)sed -n 's/^#define __NR_\([a-z0-9_]*\)[[:space:]]\{1,\}\([0-9]\{1,\}\)$$/[\2] = "\1",/p' $< >$@.tmp
	$(Q)test -s $@.tmp && mv $@.tmp $@

# Only the object that includes the table waits for it.
$(O)/user/nstaint/model/syscalls.o: $(O)/syscall_names.h
NSTAINT_OBJS  = $(patsubst %.c,$(O)/%.o,$(NSTAINT_SRCS))

ALL += $(O)/nstaint

$(O)/nstaint: $$(NSTAINT_OBJS)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(NSTAINT_LIBS)

$(O)/user/%.o: user/%.c $$(NSTAINT_DEPS) | $(O)/nstaint-dirs
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -Iuser -Iuser/nstaint -c -o $@ $<

.PHONY: $(O)/nstaint-dirs
$(O)/nstaint-dirs:
	$(Q)mkdir -p $(O)/user/nstaint
