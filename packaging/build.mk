# packaging: `make install` and `make uninstall`, GNU style (PREFIX,
# DESTDIR, and the usual directory variables).  Installs the nstaint
# binary, libmn (static, and shared with its SONAME and links) with its
# headers and pkg-config file, mnrace (libmnrace.a, mnrace.h, mnrace.pc
# and the compiler wrappers mnrace-cc and mnrace-c++, which name the
# installed library), the man pages nstaint(8) and libmn(3), the agent's
# systemd unit and an example configuration (not overwritten).
# selftests/install installs into a DESTDIR and builds programs against
# the installed pkg-config files.
.PHONY: install uninstall

PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFDIR ?= $(LIBDIR)/pkgconfig
MANDIR     ?= $(PREFIX)/share/man
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
UNITDIR    ?= $(PREFIX)/lib/systemd/system
INSTALL    ?= install

MAN8 := docs/man/nstaint.8
MAN3 := docs/man/libmn.3
INSTALL_HDRS := include/mn.h include/nstaint/mn_abi.h

# What install writes, relative to $(DESTDIR): uninstall removes this list.
INSTALLED = $(SBINDIR)/nstaint \
	$(LIBDIR)/libmn.a $(LIBDIR)/libmn.so.$(LIBMN_VERSION) \
	$(LIBDIR)/$(LIBMN_SONAME) $(LIBDIR)/libmn.so \
	$(INCLUDEDIR)/mn.h $(INCLUDEDIR)/nstaint/mn_abi.h \
	$(PKGCONFDIR)/libmn.pc \
	$(LIBDIR)/libmnrace.a $(INCLUDEDIR)/mnrace.h $(PKGCONFDIR)/mnrace.pc \
	$(BINDIR)/mnrace-cc $(BINDIR)/mnrace-c++ \
	$(MANDIR)/man8/nstaint.8 $(MANDIR)/man3/libmn.3 \
	$(UNITDIR)/nstaint-agent.service

install: real-all
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)$(INSTALL) -D -m 0755 $(O)/nstaint $(DESTDIR)$(SBINDIR)/nstaint
	$(Q)$(INSTALL) -D -m 0644 $(O)/libmn.a $(DESTDIR)$(LIBDIR)/libmn.a
	$(Q)$(INSTALL) -D -m 0755 $(O)/libmn.so.$(LIBMN_VERSION) \
		$(DESTDIR)$(LIBDIR)/libmn.so.$(LIBMN_VERSION)
	$(Q)ln -sfn libmn.so.$(LIBMN_VERSION) $(DESTDIR)$(LIBDIR)/$(LIBMN_SONAME)
	$(Q)ln -sfn $(LIBMN_SONAME) $(DESTDIR)$(LIBDIR)/libmn.so
	$(Q)$(INSTALL) -D -m 0644 include/mn.h $(DESTDIR)$(INCLUDEDIR)/mn.h
	$(Q)$(INSTALL) -D -m 0644 include/nstaint/mn_abi.h \
		$(DESTDIR)$(INCLUDEDIR)/nstaint/mn_abi.h
	$(Q)mkdir -p $(DESTDIR)$(PKGCONFDIR)
	$(Q)$(call libmn_pc,$(PREFIX),$(INCLUDEDIR),$(LIBDIR)) \
		user/libmn/libmn.pc.in > $(DESTDIR)$(PKGCONFDIR)/libmn.pc
	$(Q)$(INSTALL) -D -m 0644 $(MNRACE_LIB) $(DESTDIR)$(LIBDIR)/libmnrace.a
	$(Q)$(INSTALL) -D -m 0644 include/mnrace.h $(DESTDIR)$(INCLUDEDIR)/mnrace.h
	$(Q)$(call mnrace_pc,$(PREFIX),$(INCLUDEDIR),$(LIBDIR)) \
		user/mnrace/mnrace.pc.in > $(DESTDIR)$(PKGCONFDIR)/mnrace.pc
	$(Q)mkdir -p $(DESTDIR)$(BINDIR)
	$(Q)$(call mnrace_wrapper,mnrace-cc,C,$(CLANG),MNRACE_CLANG,$(LIBDIR)/libmnrace.a,$(LIBDIR),$(INCLUDEDIR)) \
		> $(DESTDIR)$(BINDIR)/mnrace-cc
	$(Q)$(call mnrace_wrapper,mnrace-c++,C++,$(CLANGXX),MNRACE_CLANGXX,$(LIBDIR)/libmnrace.a,$(LIBDIR),$(INCLUDEDIR)) \
		> $(DESTDIR)$(BINDIR)/mnrace-c++
	$(Q)chmod 0755 $(DESTDIR)$(BINDIR)/mnrace-cc $(DESTDIR)$(BINDIR)/mnrace-c++
	$(Q)$(INSTALL) -D -m 0644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/nstaint.8
	$(Q)$(INSTALL) -D -m 0644 $(MAN3) $(DESTDIR)$(MANDIR)/man3/libmn.3
	$(Q)mkdir -p $(DESTDIR)$(UNITDIR)
	$(Q)sed 's|/usr/sbin/nstaint|$(SBINDIR)/nstaint|;s|/etc/nstaint/|$(SYSCONFDIR)/nstaint/|' \
		packaging/systemd/nstaint-agent.service > $(DESTDIR)$(UNITDIR)/nstaint-agent.service
	$(Q)chmod 0644 $(DESTDIR)$(UNITDIR)/nstaint-agent.service
	$(Q)test -e $(DESTDIR)$(SYSCONFDIR)/nstaint/agent.conf || \
		$(INSTALL) -D -m 0644 packaging/agent.conf $(DESTDIR)$(SYSCONFDIR)/nstaint/agent.conf

uninstall:
	$(call msg,UNINSTALL,$(DESTDIR)$(PREFIX))
	$(Q)rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	$(Q)rmdir $(DESTDIR)$(INCLUDEDIR)/nstaint 2>/dev/null || true
	@echo "  (kept $(DESTDIR)$(SYSCONFDIR)/nstaint/agent.conf: your configuration)"
