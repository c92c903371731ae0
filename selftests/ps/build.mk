# selftests/ps: ps_test and ps_iter_test are built and run by the generic
# rule (selftests/build.mk).  ps_iter_test also runs in the 6.1 VM: the
# iterator's CO-RE object must load and agree with /proc there too.
VM_SCRIPTS += $(O)/selftests/ps/ps_iter_test
VM_FILES   += $(O)/nstaint
