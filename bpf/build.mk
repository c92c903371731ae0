# BPF side of nstaint: CO-RE object linked by bpftool, then a skeleton
# header that user/nstaint/backend_bpf.c embeds.
NSTAINT_BPF_OBJ  := $(O)/bpf/nstaint.bpf.o
NSTAINT_BPF_SKEL := $(O)/nstaint.skel.h

NSTAINT_SRCS += $(addprefix user/nstaint/,backend.c backend_bpf.c bpf_procinfo.c goattr.c mnattr.c \
		trace.c top.c symbolize.c ustack.c gopclntab.c elfscn.c \
		syscall_hook.c exact.c)
NSTAINT_LIBS += -lbpf -ldw -lelf -lz -lpthread
# Only the objects that include the skeleton wait for it.
$(addprefix $(O)/user/nstaint/,backend_bpf.o bpf_procinfo.o syscall_hook.o exact.o): $(NSTAINT_BPF_SKEL)

ALL += $(NSTAINT_BPF_OBJ)

# <bpf/usdt.bpf.h> includes <linux/errno.h>, whose asm/ lives in the
# multiarch directory that -target bpf does not search.
BPF_SYS_INC := -idirafter /usr/include/$(MULTIARCH)

$(O)/bpf/nstaint.tmp.o: bpf/nstaint.bpf.c include/nstaint/events.h include/nstaint/nsdiff.h bpf/taint.h \
		bpf/goproc.h include/nstaint/mn_abi.h $(VMLINUX_H)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(BPF_SYS_INC) -c $< -o $@

$(NSTAINT_BPF_OBJ): $(O)/bpf/nstaint.tmp.o
	$(call msg,GEN-OBJ,$@)
	$(Q)$(BPFTOOL) gen object $@ $<

$(NSTAINT_BPF_SKEL): $(NSTAINT_BPF_OBJ)
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name nstaint_bpf > $@.tmp && mv $@.tmp $@

# The iter/task program behind `nstaint ps` and the tracker's seeding
# (user/nstaint/snapshot_iter.c), with its own small skeleton: a light one
# (-L), whose loader has the kernel do the CO-RE relocations, so no
# process parses the 5 MB vmlinux BTF (libbpf takes 30 ms for that).
TASKNS_BPF_OBJ  := $(O)/bpf/taskns_iter.bpf.o
TASKNS_BPF_SKEL := $(O)/taskns_iter.lskel.h

NSTAINT_SRCS += user/nstaint/snapshot_iter.c
$(O)/user/nstaint/snapshot_iter.o: $(TASKNS_BPF_SKEL)
ALL += $(TASKNS_BPF_OBJ)

$(O)/bpf/taskns_iter.tmp.o: bpf/taskns_iter.bpf.c bpf/taskns_iter.h include/nstaint/events.h $(VMLINUX_H)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(TASKNS_BPF_OBJ): $(O)/bpf/taskns_iter.tmp.o
	$(call msg,GEN-OBJ,$@)
	$(Q)$(BPFTOOL) gen object $@ $<

$(TASKNS_BPF_SKEL): $(TASKNS_BPF_OBJ)
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton -L $< name taskns_iter_bpf > $@.tmp && mv $@.tmp $@
