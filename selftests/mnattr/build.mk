# The mnattr test (selftests/build.mk builds it) links mnattr's objects of
# the nstaint binary.
SELFTEST_LIBS_mnattr_test := $(O)/user/nstaint/mnattr.o $(O)/user/nstaint/elfscn.o -lelf
$(O)/selftests/mnattr/mnattr_test: $(O)/user/nstaint/mnattr.o $(O)/user/nstaint/elfscn.o \
	user/nstaint/mnattr.h include/nstaint/mn_abi.h
