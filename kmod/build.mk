# The module builds through the top-level Kbuild (make kmod); its tests
# run in the 6.1 VM (selftests/kmod/build.mk).  Its reader in the CLI,
# user/nstaint/source/kmod.c, is listed by user/nstaint/build.mk.

# checkpatch.pl from Debian's linux-source-6.1 (extracted, never committed)
# over the module's sources; runs on the host (selftests/kmod/checkpatch.sh).
CHECKPATCH := $(O)/checkpatch/checkpatch.pl
ALL   += $(CHECKPATCH)
TESTS += selftests/kmod/checkpatch.sh

$(CHECKPATCH):
	$(call msg,EXTRACT,$@)
	$(Q)test -n "$(KSRC_TAR)" || { echo "linux-source-6.1 is not installed: run scripts/deps.sh" >&2; exit 1; }
	$(Q)mkdir -p $(dir $@)
	$(Q)tar -xJf $(KSRC_TAR) -C $(dir $@) --strip-components=2 \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch
	$(Q)touch $@
