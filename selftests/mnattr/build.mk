# The mnattr test (selftests/build.mk builds it) links mnattr's objects of
# the nstaint binary.
SELFTEST_LIBS_mnattr_test := -Iuser -Iuser/nstaint $(O)/user/nstaint/attr/mnattr.o \
	$(O)/user/common/elfscn.o -lelf
$(O)/selftests/mnattr/mnattr_test: $(O)/user/nstaint/attr/mnattr.o $(O)/user/common/elfscn.o \
	user/nstaint/attr/mnattr.h include/nstaint/mn_abi.h
