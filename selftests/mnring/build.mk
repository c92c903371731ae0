# The report ring test (selftests/build.mk builds it) links the writer of
# user/common and the reader of the nstaint binary.
SELFTEST_LIBS_mnring_test := -Iuser -Iuser/nstaint $(O)/user/nstaint/source/mnring_reader.o \
	$(O)/user/common/mnring.o
$(O)/selftests/mnring/mnring_test: $(O)/user/nstaint/source/mnring_reader.o $(O)/user/common/mnring.o \
	user/nstaint/source/mnring_reader.h user/common/mnring.h include/nstaint/mn_ring.h

# libmn's reports end to end: libmn.a, and nstaint's ring reader and
# registry finder.
SELFTEST_LIBS_mn_reports_test := -Iuser -Iuser/nstaint $(O)/user/nstaint/source/mnring_reader.o \
	$(O)/user/nstaint/attr/mnattr.o $(O)/user/common/elfscn.o $(O)/libmn.a -lelf -lm
$(O)/selftests/mnring/mn_reports_test: $(O)/user/nstaint/source/mnring_reader.o \
	$(O)/user/nstaint/attr/mnattr.o $(O)/user/common/elfscn.o $(O)/libmn.a include/mn.h \
	user/nstaint/source/mnring_reader.h user/nstaint/attr/mnattr.h include/nstaint/mn_ring.h

# Report rings read by `nstaint trace` (ringtrace_test.sh): mnreport, a
# static libmn program making each kind of report, built so that its PCs
# symbolize to known lines (-O0 -g, frame pointers).
RINGTRACE_TEST := $(O)/selftests/mnring/ringtrace_test
MNREPORT       := $(O)/selftests/mnring/mnreport

ALL   += $(RINGTRACE_TEST) $(MNREPORT)
TESTS += $(RINGTRACE_TEST)

$(MNREPORT): selftests/mnring/mnreport.c $(O)/libmn.a include/mn.h include/nstaint/mn_ring.h include/nstaint/mn_abi.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -O0 -g -fno-omit-frame-pointer -o $@ $< $(O)/libmn.a -lpthread

$(RINGTRACE_TEST): selftests/mnring/ringtrace_test.sh selftests/lib/jcount.py selftests/lib/testlib.sh $(MNREPORT) $(O)/nstaint
	$(call msg,INSTALL,$@)
	$(Q)install -m 755 $< $@

# The same program on libmn.so, found by its DT_NEEDED and RUNPATH at exec.
MNREPORT_SO := $(O)/selftests/mnring/mnreport-so
ALL         += $(MNREPORT_SO)

$(MNREPORT_SO): selftests/mnring/mnreport.c $(O)/libmn.so include/mn.h include/nstaint/mn_ring.h include/nstaint/mn_abi.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -O0 -g -fno-omit-frame-pointer -o $@ $< -L$(O) -lmn -lpthread -Wl,-rpath,$(abspath $(O))

$(RINGTRACE_TEST): $(MNREPORT_SO)
