# The build itself: the same rules and lists whatever the order in which
# the Makefile includes the build.mk fragments (order_test.py; reads make's
# database, builds nothing).
TESTS += selftests/make/order_test.py
