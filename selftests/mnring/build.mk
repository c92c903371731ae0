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
