# The module backend: nstaint.ko (built through the top-level Kbuild
# against Debian's 6.1 headers), its reader in the nstaint binary, and
# its selftests, which run inside the 6.1 VM (selftests/vm/build.mk).
NSTAINT_SRCS += user/nstaint/backend_kmod.c

KMOD_KO  := kmod/nstaint.ko
KMOD_SRC := $(wildcard kmod/*.c kmod/*.h) kmod/Kbuild Kbuild include/nstaint/events.h

$(KMOD_KO): $(KMOD_SRC)
	$(call msg,KMOD,$@)
	$(Q)test -n "$(KDIR)" || { echo "no linux-headers-6.1.*-amd64: run scripts/deps.sh" >&2; exit 1; }
	$(Q)$(MAKE) -C $(KDIR) M=$(TOP) $(if $(V),V=$(V)) modules >$(O)/kmod-build.log 2>&1 || \
		{ cat $(O)/kmod-build.log >&2; exit 1; }

KMOD_TEST := $(O)/selftests/kmod/nstaint_kmod
ALL      += $(KMOD_KO) $(KMOD_TEST)
VM_TESTS += $(KMOD_TEST)
VM_FILES += $(KMOD_KO)

$(KMOD_TEST): selftests/kmod/nstaint_kmod.c user/nstaint/backend_kmod.c user/nstaint/backend.h include/nstaint/events.h $(KSFT_HDR)
	$(call msg,TEST,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(TEST_CFLAGS) -Iuser/nstaint -o $@ $(filter %.c,$^) -lpthread

# checkpatch.pl from Debian's linux-source-6.1 (extracted, never committed)
# over the module's sources; runs on the host.
ALL   += $(O)/checkpatch/checkpatch.pl
TESTS += selftests/kmod/checkpatch.sh

$(O)/checkpatch/checkpatch.pl:
	$(call msg,EXTRACT,$@)
	$(Q)test -n "$(KSRC_TAR)" || { echo "linux-source-6.1 is not installed: run scripts/deps.sh" >&2; exit 1; }
	$(Q)mkdir -p $(O)/checkpatch
	$(Q)tar -xJf $(KSRC_TAR) -C $(O)/checkpatch --strip-components=2 \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch
	$(Q)touch $@
