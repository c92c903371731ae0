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
SELFTEST_LIBS_httpd_test := $(O)/user/agent/httpd.o $(O)/user/agent/promtext.o -lmicrohttpd -lm
$(O)/selftests/agent/httpd_test: $(O)/user/agent/httpd.o $(O)/user/agent/promtext.o \
	user/agent/httpd.h selftests/lib/httpget.py selftests/lib/promparse.py

# A real Prometheus scrapes httpd (prom_scrape_test.sh, httpd_serve).
HTTPD_SERVE := $(O)/selftests/agent/httpd_serve
PROM_SCRAPE_TEST := $(O)/selftests/agent/prom_scrape_test

ALL   += $(HTTPD_SERVE) $(PROM_SCRAPE_TEST)
TESTS += $(PROM_SCRAPE_TEST)

$(HTTPD_SERVE): selftests/agent/httpd_serve.c $(O)/user/agent/httpd.o $(O)/user/agent/promtext.o
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ -lmicrohttpd -lm

$(PROM_SCRAPE_TEST): selftests/agent/prom_scrape_test.sh $(HTTPD_SERVE)
	$(call msg,INSTALL,$@)
	$(Q)install -m 755 $< $@
SELFTEST_LIBS_procmetrics_test := $(O)/user/agent/procmetrics.o $(O)/user/agent/promtext.o -lm
$(O)/selftests/agent/procmetrics_test: $(O)/user/agent/procmetrics.o $(O)/user/agent/promtext.o \
	user/agent/procmetrics.h
SELFTEST_LIBS_envelope_test := $(O)/user/agent/envelope.o $(O)/user/agent/labelcap.o
$(O)/selftests/agent/envelope_test: $(O)/user/agent/envelope.o $(O)/user/agent/labelcap.o \
	user/agent/envelope.h user/agent/labelcap.h
