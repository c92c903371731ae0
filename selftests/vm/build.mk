# Tests that need Debian's 6.1 kernel (the module cannot load on the host).
# VM_TESTS: static test binaries run in ONE VM by run-vm-tests; other parts
# append theirs.  VM_SCRIPTS: tests run there from the top of the tree, and
# VM_FILES what they need in the guest (paths relative to the top, or
# absolute for system files; directories are copied whole).

ALL   += $(VM_TESTS)
TESTS += selftests/vm/run-vm-tests

$(O)/selftests/kmod/%: selftests/kmod/%.c $(KSFT_HDR) include/nstaint/events.h
	$(call msg,TEST,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(TEST_CFLAGS) -static -o $@ $(filter %.c,$^) -lpthread

.PHONY: vm-tests
vm-tests: $$(VM_TESTS) $$(VM_SCRIPTS) $$(filter-out /%,$$(VM_FILES))
	$(Q)echo $(VM_TESTS) > $(O)/selftests/vm-tests.list
	$(Q)echo $(VM_SCRIPTS) > $(O)/selftests/vm-scripts.list
	$(Q)echo $(VM_FILES) > $(O)/selftests/vm-files.list
