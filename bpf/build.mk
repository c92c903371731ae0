# BPF side of nstaint: CO-RE object linked by bpftool, then a skeleton
# header that user/nstaint/source/bpf.c embeds.
NSTAINT_BPF_OBJ  := $(O)/bpf/nstaint.bpf.o
NSTAINT_BPF_SKEL := $(O)/nstaint.skel.h

NSTAINT_SRCS += $(addprefix user/nstaint/,source/select.c source/bpf.c source/bpf_procinfo.c \
		attr/goattr.c attr/mnattr.c cmd/trace.c cmd/top.c sym/symbolize.c sym/ustack.c \
		sym/gopclntab.c source/syscall_hook.c source/exact.c) user/common/elfscn.c
NSTAINT_LIBS += -lbpf -ldw -lelf -lz -lpthread
# Only the objects that include the skeleton wait for it.
$(addprefix $(O)/user/nstaint/source/,bpf.o bpf_procinfo.o syscall_hook.o exact.o): $(NSTAINT_BPF_SKEL)

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
