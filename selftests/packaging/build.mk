# packaging/: the Prometheus alert rules and their promtool unit tests,
# the YAML lint (alerts_test.sh).
ALERTS_TEST := $(O)/selftests/packaging/alerts_test

ALL   += $(ALERTS_TEST)
TESTS += $(ALERTS_TEST)

$(ALERTS_TEST): selftests/packaging/alerts_test.sh \
		packaging/prometheus/nstaint-alerts.yml packaging/prometheus/nstaint-alerts_test.yml
	$(call msg,INSTALL,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)install -m 755 $< $@
