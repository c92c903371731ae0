# The tracker test (selftests/build.mk builds it) links the tracker object
# of the nstaint binary.
SELFTEST_LIBS_tracker_test := $(O)/user/nstaint/tracker.o $(O)/user/nstaint/record.o
$(O)/selftests/tracker/tracker_test: $(O)/user/nstaint/tracker.o $(O)/user/nstaint/record.o \
	user/nstaint/tracker.h user/nstaint/snapshot.h
