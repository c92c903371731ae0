# BPF side of nstaint: CO-RE object linked by bpftool, then a skeleton
# header that user/nstaint/backend_bpf.c embeds.
NSTAINT_BPF_OBJ  := $(O)/bpf/nstaint.bpf.o
NSTAINT_BPF_SKEL := $(O)/nstaint.skel.h

NSTAINT_SRCS += $(addprefix user/nstaint/,backend.c backend_bpf.c goattr.c trace.c \
		top.c symbolize.c ustack.c)
NSTAINT_LIBS += -lbpf -ldw -lelf -lz
NSTAINT_DEPS += $(NSTAINT_BPF_SKEL)

ALL += $(NSTAINT_BPF_OBJ)

$(O)/bpf/nstaint.tmp.o: bpf/nstaint.bpf.c include/nstaint/events.h bpf/taint.h \
		bpf/goproc.h $(VMLINUX_H)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -I$(O) -Iinclude -c $< -o $@

$(NSTAINT_BPF_OBJ): $(O)/bpf/nstaint.tmp.o
	$(call msg,GEN-OBJ,$@)
	$(Q)$(BPFTOOL) gen object $@ $<

$(NSTAINT_BPF_SKEL): $(NSTAINT_BPF_OBJ)
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name nstaint_bpf > $@.tmp && mv $@.tmp $@
