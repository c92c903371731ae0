# The tracker test (selftests/build.mk builds it) links the tracker object
# of the nstaint binary.
SELFTEST_LIBS_tracker_test := -Iuser -Iuser/nstaint $(O)/user/nstaint/model/tracker.o \
	$(O)/user/nstaint/model/record.o
$(O)/selftests/tracker/tracker_test: $(O)/user/nstaint/model/tracker.o $(O)/user/nstaint/model/record.o \
	user/nstaint/model/tracker.h user/nstaint/source/snapshot.h

# snapdiff: the /proc polling backend's diff of two snapshots.
SELFTEST_LIBS_snapdiff_test := -Iuser -Iuser/nstaint $(O)/user/nstaint/source/snapdiff.o \
	$(O)/user/common/nsset.o
$(O)/selftests/tracker/snapdiff_test: $(O)/user/nstaint/source/snapdiff.o $(O)/user/common/nsset.o \
	user/nstaint/source/snapdiff.h user/nstaint/source/snapshot.h
