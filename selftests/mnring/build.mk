# The report ring test (selftests/build.mk builds it) links the writer of
# user/common and the reader of the nstaint binary.
SELFTEST_LIBS_mnring_test := -Iuser -Iuser/nstaint $(O)/user/nstaint/source/mnring_reader.o \
	$(O)/user/common/mnring.o
$(O)/selftests/mnring/mnring_test: $(O)/user/nstaint/source/mnring_reader.o $(O)/user/common/mnring.o \
	user/nstaint/source/mnring_reader.h user/common/mnring.h include/nstaint/mn_ring.h
