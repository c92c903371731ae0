# BPF side of nstaint: CO-RE object linked by bpftool, then a skeleton
# header (NSTAINT_BPF_SKEL) that the BPF source of the CLI embeds
# (user/nstaint/build.mk says which objects wait for it).  This fragment
# builds BPF only; the CLI's sources are listed by the CLI's fragment.
NSTAINT_BPF_OBJ  := $(O)/bpf/nstaint.bpf.o
NSTAINT_BPF_SKEL := $(O)/nstaint.skel.h

ALL += $(NSTAINT_BPF_OBJ)

# <bpf/usdt.bpf.h> includes <linux/errno.h>, whose asm/ lives in the
# multiarch directory that -target bpf does not search.
BPF_SYS_INC := -idirafter /usr/include/$(MULTIARCH)

$(O)/bpf/nstaint.tmp.o: bpf/nstaint.bpf.c include/nstaint/events.h include/nstaint/nsdiff.h include/nstaint/taint.h \
		include/nstaint/goproc.h include/nstaint/mn_abi.h $(VMLINUX_H)
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
# (user/nstaint/source/snapshot_iter.c), with its own small skeleton: a light one
# (-L), whose loader has the kernel do the CO-RE relocations, so no
# process parses the 5 MB vmlinux BTF (libbpf takes 30 ms for that).
TASKNS_BPF_OBJ  := $(O)/bpf/taskns_iter.bpf.o
TASKNS_BPF_SKEL := $(O)/taskns_iter.lskel.h

ALL += $(TASKNS_BPF_OBJ)

$(O)/bpf/taskns_iter.tmp.o: bpf/taskns_iter.bpf.c include/nstaint/taskns_iter.h include/nstaint/events.h $(VMLINUX_H)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(TASKNS_BPF_OBJ): $(O)/bpf/taskns_iter.tmp.o
	$(call msg,GEN-OBJ,$@)
	$(Q)$(BPFTOOL) gen object $@ $<

$(TASKNS_BPF_SKEL): $(TASKNS_BPF_OBJ)
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton -L $< name taskns_iter_bpf > $@.tmp && mv $@.tmp $@
