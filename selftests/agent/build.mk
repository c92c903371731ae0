# Unit tests of the agent's parts (user/nstaint/agent/): selftests/build.mk builds
# each *_test.c; these lines link the part it tests.
SELFTEST_LIBS_promtext_test := $(O)/user/nstaint/agent/promtext.o -lm
$(O)/selftests/agent/promtext_test: $(O)/user/nstaint/agent/promtext.o user/nstaint/agent/promtext.h \
	selftests/lib/promparse.py
SELFTEST_LIBS_sdnotify_test := $(O)/user/nstaint/agent/sdnotify.o
$(O)/selftests/agent/sdnotify_test: $(O)/user/nstaint/agent/sdnotify.o user/nstaint/agent/sdnotify.h
SELFTEST_LIBS_rotlog_test := $(O)/user/nstaint/agent/rotlog.o -lz
$(O)/selftests/agent/rotlog_test: $(O)/user/nstaint/agent/rotlog.o user/nstaint/agent/rotlog.h
SELFTEST_LIBS_confile_test := $(O)/user/nstaint/agent/confile.o
$(O)/selftests/agent/confile_test: $(O)/user/nstaint/agent/confile.o user/nstaint/agent/confile.h
SELFTEST_LIBS_httpd_test := $(O)/user/nstaint/agent/httpd.o $(O)/user/nstaint/agent/promtext.o -lmicrohttpd -lm
$(O)/selftests/agent/httpd_test: $(O)/user/nstaint/agent/httpd.o $(O)/user/nstaint/agent/promtext.o \
	user/nstaint/agent/httpd.h selftests/lib/httpget.py selftests/lib/promparse.py

# A real Prometheus scrapes httpd (prom_scrape_test.sh, httpd_serve).
HTTPD_SERVE := $(O)/selftests/agent/httpd_serve
PROM_SCRAPE_TEST := $(O)/selftests/agent/prom_scrape_test

ALL   += $(HTTPD_SERVE) $(PROM_SCRAPE_TEST)
TESTS += $(PROM_SCRAPE_TEST)

$(HTTPD_SERVE): selftests/agent/httpd_serve.c $(O)/user/nstaint/agent/httpd.o $(O)/user/nstaint/agent/promtext.o
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $(filter %.c %.o,$^) -lmicrohttpd -lm

$(PROM_SCRAPE_TEST): selftests/agent/prom_scrape_test.sh selftests/lib/promtest.sh $(HTTPD_SERVE)
	$(call msg,INSTALL,$@)
	$(Q)install -m 755 $< $@
SELFTEST_LIBS_procmetrics_test := $(O)/user/nstaint/agent/procmetrics.o $(O)/user/nstaint/agent/promtext.o -lm
$(O)/selftests/agent/procmetrics_test: $(O)/user/nstaint/agent/procmetrics.o $(O)/user/nstaint/agent/promtext.o \
	user/nstaint/agent/procmetrics.h
SELFTEST_LIBS_envelope_test := $(O)/user/nstaint/agent/envelope.o $(O)/user/nstaint/agent/labelcap.o
$(O)/selftests/agent/envelope_test: $(O)/user/nstaint/agent/envelope.o $(O)/user/nstaint/agent/labelcap.o \
	user/nstaint/agent/envelope.h user/nstaint/agent/labelcap.h

# nstaint agent end to end, with a real Prometheus (agent_test.sh).
AGENT_TEST := $(O)/selftests/agent/agent_test

ALL   += $(AGENT_TEST)
TESTS += $(AGENT_TEST)

$(AGENT_TEST): selftests/agent/agent_test.sh selftests/lib/testlib.sh selftests/lib/recall.py \
		selftests/lib/httpget.py selftests/lib/promtest.sh selftests/lib/holdtaint.sh selftests/lib/promparse.py $(O)/nstaint $(O)/selftests/go/sockns $(O)/selftests/go/leak \
		$(O)/selftests/agent/holdtaint
	$(call msg,INSTALL,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)install -m 755 $< $@

# The agent's fault tests (agent_fault_test.sh): backend fallback, ring
# overflow and resync, the export queue, SIGKILL and SIGTERM.
HOLDTAINT := $(O)/selftests/agent/holdtaint
AGENT_FAULT_TEST := $(O)/selftests/agent/agent_fault_test

ALL   += $(HOLDTAINT) $(AGENT_FAULT_TEST)
TESTS += $(AGENT_FAULT_TEST)

$(HOLDTAINT): selftests/agent/holdtaint.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $< -lpthread

$(AGENT_FAULT_TEST): selftests/agent/agent_fault_test.sh selftests/lib/testlib.sh selftests/lib/httpget.py \
		selftests/lib/holdtaint.sh \
		$(O)/nstaint $(HOLDTAINT) $$(NSFLIP) $(O)/selftests/go/onthread
	$(call msg,INSTALL,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)install -m 755 $< $@
SELFTEST_LIBS_lineq_test := $(O)/user/nstaint/agent/lineq.o
$(O)/selftests/agent/lineq_test: $(O)/user/nstaint/agent/lineq.o user/nstaint/agent/lineq.h

# SIGHUP reload, JSON logs, the comm label's cap, the textfile.
AGENT_RELOAD_TEST := $(O)/selftests/agent/agent_reload_test

ALL   += $(AGENT_RELOAD_TEST)
TESTS += $(AGENT_RELOAD_TEST)

$(AGENT_RELOAD_TEST): selftests/agent/agent_reload_test.sh selftests/lib/testlib.sh selftests/lib/httpget.py \
		selftests/lib/holdtaint.sh $(O)/nstaint $(HOLDTAINT)
	$(call msg,INSTALL,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)install -m 755 $< $@

# The agent and libmn's report rings under a real Prometheus
# (agent_report_test.sh): the report counters and the exported reports.
AGENT_REPORT_TEST := $(O)/selftests/agent/agent_report_test

ALL   += $(AGENT_REPORT_TEST)
TESTS += $(AGENT_REPORT_TEST)

$(AGENT_REPORT_TEST): selftests/agent/agent_report_test.sh selftests/lib/testlib.sh selftests/lib/promtest.sh \
		$(O)/nstaint $(O)/selftests/mnring/mnreport
	$(call msg,INSTALL,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)install -m 755 $< $@
