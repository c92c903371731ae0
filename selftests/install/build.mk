# make install / uninstall, the man pages and the installed pkg-config
# file (install_test.sh).
INSTALL_TEST := $(O)/selftests/install/install_test

ALL   += $(INSTALL_TEST)
TESTS += $(INSTALL_TEST)

$(INSTALL_TEST): selftests/install/install_test.sh selftests/install/hello_mn.c \
		selftests/install/hello_race.c user/mnrace/mnrace.pc.in \
		packaging/build.mk docs/man/nstaint.8 docs/man/libmn.3
	$(call msg,INSTALL,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)install -m 755 $< $@
