# nstaint CLI: every C file of its stage folders (docs/ARCHITECTURE.md),
# so a new sink or attribution source is one file, and what it shares
# with libmn (user/common).  The BPF object and skeleton come from
# bpf/build.mk, the module from kmod/build.mk; nothing else adds sources.
NSTAINT_STAGES := cmd source pipeline model attr sym sink agent
NSTAINT_SRCS += $(sort $(wildcard $(addprefix user/nstaint/,$(addsuffix /*.c,$(NSTAINT_STAGES))))) \
		$(wildcard user/nstaint/*.c) user/common/nsset.c user/common/nsjson.c user/common/strout.c user/common/elfscn.c
NSTAINT_LIBS += -lbpf -ldw -lelf -lz -lpthread -lmicrohttpd -lm
NSTAINT_DEPS +=

# Only the objects that include the BPF skeleton wait for it.
$(patsubst %.c,$(O)/%.o,$(wildcard user/nstaint/source/bpf*.c) \
	$(addprefix user/nstaint/source/,syscall_hook.c exact.c)): $$(NSTAINT_BPF_SKEL)
# The task iterator's light skeleton (bpf/build.mk), for ps and seeding.
$(O)/user/nstaint/source/snapshot_iter.o: $$(TASKNS_BPF_SKEL)

# The x86-64 system call names, generated from the installed uapi header
# (one "[nr] = \"name\"," line per __NR_ definition): the one table.
UNISTD_64 ?= /usr/include/x86_64-linux-gnu/asm/unistd_64.h

$(O)/syscall_names.h: $(UNISTD_64) user/nstaint/build.mk
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)sed -n 's/^#define __NR_\([a-z0-9_]*\)[[:space:]]\{1,\}\([0-9]\{1,\}\)$$/[\2] = "\1",/p' $< >$@.tmp
	$(Q)test -s $@.tmp && mv $@.tmp $@

# nstaint_build_info's revision label.
NSTAINT_REVISION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
$(O)/user/nstaint/sink/metrics.o: CFLAGS += -DNSTAINT_REVISION='"$(NSTAINT_REVISION)"'

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
