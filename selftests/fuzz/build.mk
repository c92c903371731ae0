# Fuzz targets (libFuzzer, clang-19) for the parsers of what a process on
# the host controls: docs/fuzz.md.  Each target fuzz_<name>.c is linked
# with its parser sources, instrumented, to $(O)/fuzz/fuzz_<name>; its
# seeds are made at build time from the Go and libmn programs the other
# tests build, in $(O)/fuzz/seed/<name>/.  $(O)/selftests/fuzz/fuzz_test
# (in make check) replays selftests/fuzz/regress/<name>/ and fuzzes each
# target for FUZZ_TIME seconds; `make fuzz` runs it for longer.
#
# Prerequisites from other fragments ($(GO_PROGS), $(MNLEAK)...) are
# written $$(...): expanded after every fragment is read, whatever the
# include order.
.SECONDEXPANSION:

FUZZ_CC      ?= clang-19
FUZZ_CFLAGS  := -g -O1 -std=gnu11 -D_GNU_SOURCE -Wall -Wextra \
		-Wno-unused-parameter -I$(TOP)/include -I$(TOP)/user -I$(TOP)/user/nstaint \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_DIR     := $(O)/fuzz
FUZZ_NAMES   := gopclntab goattr mnattr record mnring
FUZZ_BINS    := $(addprefix $(FUZZ_DIR)/fuzz_,$(FUZZ_NAMES))
FUZZ_TEST    := $(O)/selftests/fuzz/fuzz_test
FUZZ_SEEDS   := $(addprefix $(FUZZ_DIR)/seed/,$(addsuffix .stamp,$(FUZZ_NAMES)))

# The parser sources each target links, and their libraries.
FUZZ_SRCS_gopclntab := nstaint/sym/gopclntab.c common/elfscn.c
FUZZ_SRCS_goattr    := nstaint/attr/goattr.c nstaint/attr/mnattr.c nstaint/attr/mnneeded.c \
		       common/elfscn.c
FUZZ_SRCS_mnattr    := nstaint/attr/mnattr.c common/elfscn.c
FUZZ_SRCS_record    := nstaint/model/record.c nstaint/model/tracker.c
FUZZ_LIBS_gopclntab := -lelf
FUZZ_LIBS_goattr    := -ldw -lelf
FUZZ_LIBS_mnattr    := -lelf
FUZZ_LIBS_record    :=
FUZZ_SRCS_mnring    := nstaint/source/mnring_reader.c
FUZZ_LIBS_mnring    :=

ALL   += $(FUZZ_BINS) $(FUZZ_SEEDS) $(FUZZ_TEST)
TESTS += $(FUZZ_TEST)

$(FUZZ_BINS): $(FUZZ_DIR)/fuzz_%: selftests/fuzz/fuzz_%.c \
		$$(addprefix user/,$$(FUZZ_SRCS_$$*)) \
		selftests/fuzz/fuzz.h $$(wildcard user/nstaint/*/*.h user/common/*.h) include/nstaint/events.h \
		include/nstaint/mn_abi.h include/nstaint/mn_ring.h
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(filter %.c,$^) $(FUZZ_LIBS_$*)

# Seeds.  gopclntab: the section of every Go program, stripped ones too.
FUZZ_GO_BINS = $(GO_PROGS) $(GO_STRIPPED)
$(FUZZ_DIR)/seed/gopclntab.stamp: $$(FUZZ_GO_BINS) selftests/fuzz/build.mk
	$(call msg,SEED,$(basename $@))
	$(Q)rm -rf $(basename $@) && mkdir -p $(basename $@)
	$(Q)for b in $(filter-out %.mk,$^); do \
		objcopy -O binary --only-section=.gopclntab $$b \
			$(basename $@)/$$(basename $$b) || exit 1; \
	done
	$(Q)touch $@

# goattr: the ELF files of the Go programs and of the libmn programs and
# library, cut to the sections these readers look at (the rest only slows
# each run down; the answers stay those of the whole file).
FUZZ_ELF_KEEP := .go.buildinfo .debug_info .debug_abbrev .debug_str \
		 .debug_line_str .debug_str_offsets .symtab .strtab .dynsym .dynstr \
		 .tbss .tdata .dynamic \
		 .note.stapsdt
$(FUZZ_DIR)/seed/goattr.stamp: $$(FUZZ_GO_BINS) $$(MNLEAK) $$(MNLEAK_SO) $(O)/libmn.so \
		$(FUZZ_DIR)/seed_gog selftests/fuzz/build.mk
	$(call msg,SEED,$(basename $@))
	$(Q)rm -rf $(basename $@) && mkdir -p $(basename $@)
	$(Q)for b in $(filter-out %.mk,$^); do \
		objcopy $(addprefix -j ,$(FUZZ_ELF_KEEP)) $$b \
			$(basename $@)/$$(basename $$b) 2>/dev/null || exit 1; \
	done
	$(Q)touch $@

# ... and a C program posing as Go with plain DWARF (seed_gog.c says why):
# buildinfo header with the inline-strings flag, then uvarint 8, go1.19.8.
$(FUZZ_DIR)/seed_gog: selftests/fuzz/seed_gog.c selftests/fuzz/build.mk
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) -g -O0 -o $@.tmp $<
	$(Q)sed -i 's/runtime_g/runtime.g/' $@.tmp
	$(Q){ printf '\377 Go buildinf:\010\002'; head -c 16 /dev/zero; \
	      printf '\010go1.19.8'; head -c 8 /dev/zero; } > $@.bi
	$(Q)objcopy --add-section .go.buildinfo=$@.bi \
		--set-section-flags .go.buildinfo=alloc,data $@.tmp $@ 2>/dev/null
	$(Q)rm -f $@.tmp $@.bi

# mnattr: the registry of a running libmn program.
FUZZ_SEED_REG := $(FUZZ_DIR)/seed_registry
$(FUZZ_SEED_REG): selftests/fuzz/seed_registry.c $(O)/libmn.a include/mn.h include/nstaint/mn_abi.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(O)/libmn.a -lpthread -lm

$(FUZZ_DIR)/seed/mnattr.stamp: $(FUZZ_SEED_REG) selftests/fuzz/build.mk
	$(call msg,SEED,$(basename $@))
	$(Q)rm -rf $(basename $@) && mkdir -p $(basename $@)
	$(Q)$(FUZZ_SEED_REG) $(basename $@)/registry
	$(Q)touch $@

# record: streams of hand-made records.
FUZZ_SEED_REC := $(FUZZ_DIR)/seed_records
$(FUZZ_SEED_REC): selftests/fuzz/seed_records.c include/nstaint/events.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $<

$(FUZZ_DIR)/seed/record.stamp: $(FUZZ_SEED_REC) selftests/fuzz/build.mk
	$(call msg,SEED,$(basename $@))
	$(Q)rm -rf $(basename $@) && mkdir -p $(basename $@)
	$(Q)$(FUZZ_SEED_REC) $(basename $@)
	$(Q)touch $@

# mnring: rings written by the writer itself.
FUZZ_SEED_RING := $(FUZZ_DIR)/seed_ring
$(FUZZ_SEED_RING): selftests/fuzz/seed_ring.c user/common/mnring.c user/common/mnring.h \
		include/nstaint/mn_ring.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -Iuser -o $@ $(filter %.c,$^)

$(FUZZ_DIR)/seed/mnring.stamp: $(FUZZ_SEED_RING) selftests/fuzz/build.mk
	$(call msg,SEED,$(basename $@))
	$(Q)rm -rf $(basename $@) && mkdir -p $(basename $@)
	$(Q)$(FUZZ_SEED_RING) $(basename $@)
	$(Q)touch $@

$(FUZZ_TEST): selftests/fuzz/fuzz_test.sh selftests/lib/testlib.sh $(FUZZ_BINS) $(FUZZ_SEEDS)
	$(call msg,INSTALL,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)install -m 755 $< $@

# Longer runs, outside make check: make fuzz [FUZZ_TIME=seconds per target]
.PHONY: fuzz
fuzz: $(FUZZ_TEST)
	$(Q)FUZZ_TIME=$(or $(FUZZ_TIME),300) scripts/run-tests $(FUZZ_TEST)
