# The stack printer (ustack.c, symbolize.c and what they use) compiled into
# its test with AddressSanitizer, so a use of freed symbol strings aborts
# it.  selftests/build.mk compiles every .c prerequisite into the test and
# adds SELFTEST_LIBS_<name> to its command line.
USTACK_TEST_SRCS := $(addprefix user/nstaint/sym/,ustack.c symbolize.c gopclntab.c execlog.c) \
	$(addprefix user/common/,elfscn.c strout.c)
SELFTEST_LIBS_ustack_test := -fsanitize=address -fno-omit-frame-pointer \
	-Iuser -Iuser/nstaint -ldw -lelf -lz -ldl
$(O)/selftests/ustack/ustack_test: $(USTACK_TEST_SRCS) $(wildcard user/nstaint/*/*.h user/common/*.h)
