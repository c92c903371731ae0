# BPF side of nstaint: CO-RE programs compiled with clang against a
# vmlinux.h generated from this host's BTF, turned into a libbpf skeleton
# that user/nstaint/backend_bpf.c embeds.  Everything generated lives in
# $(O)/bpf/ and is never committed.

BPF_OUT     := $(O)/bpf
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
BPF_CFLAGS  := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) \
	       -I$(TOP)/include -I$(BPF_OUT) -I$(TOP)/bpf -Wall -Wno-unused-function

$(BPF_OUT)/vmlinux.h:
	$(call msg,BTF,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)test -r $(VMLINUX_BTF) || { echo "no kernel BTF at $(VMLINUX_BTF): the BPF backend needs CONFIG_DEBUG_INFO_BTF" >&2; exit 1; }
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && mv $@.tmp $@

$(BPF_OUT)/%.tmp.bpf.o: bpf/%.bpf.c bpf/nstaint.h include/nstaint/events.h $(BPF_OUT)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BPF_OUT)/%.bpf.o: $(BPF_OUT)/%.tmp.bpf.o
	$(call msg,GEN-OBJ,$@)
	$(Q)$(BPFTOOL) gen object $@ $<

$(BPF_OUT)/%.skel.h: $(BPF_OUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst .,_,$*)_bpf > $@.tmp && mv $@.tmp $@

NSTAINT_SRCS += $(addprefix user/nstaint/,backend.c backend_bpf.c trace.c top.c \
		tracker.c goinfo.c symbolize.c evfmt.c)
NSTAINT_LIBS += -lbpf -lelf -lz -ldw
NSTAINT_DEPS += $(BPF_OUT)/nstaint.skel.h

.SECONDARY: $(BPF_OUT)/nstaint.bpf.o $(BPF_OUT)/nstaint.tmp.bpf.o

ALL += $(BPF_OUT)/nstaint.skel.h
