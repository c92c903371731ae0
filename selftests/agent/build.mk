# Unit tests of the agent's parts (user/agent/): selftests/build.mk builds
# each *_test.c; these lines link the part it tests.
SELFTEST_LIBS_promtext_test := $(O)/user/agent/promtext.o -lm
$(O)/selftests/agent/promtext_test: $(O)/user/agent/promtext.o user/agent/promtext.h \
	selftests/lib/promparse.py
SELFTEST_LIBS_sdnotify_test := $(O)/user/agent/sdnotify.o
$(O)/selftests/agent/sdnotify_test: $(O)/user/agent/sdnotify.o user/agent/sdnotify.h
SELFTEST_LIBS_rotlog_test := $(O)/user/agent/rotlog.o -lz
$(O)/selftests/agent/rotlog_test: $(O)/user/agent/rotlog.o user/agent/rotlog.h
SELFTEST_LIBS_confile_test := $(O)/user/agent/confile.o
$(O)/selftests/agent/confile_test: $(O)/user/agent/confile.o user/agent/confile.h
