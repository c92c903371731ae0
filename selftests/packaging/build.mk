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

# The agent's systemd unit, example configuration and DaemonSets
# (units_test.sh).
UNITS_TEST := $(O)/selftests/packaging/units_test

ALL   += $(UNITS_TEST)
TESTS += $(UNITS_TEST)

$(UNITS_TEST): selftests/packaging/units_test.sh selftests/lib/testlib.sh \
		packaging/systemd/nstaint-agent.service packaging/agent.conf \
		packaging/k8s/daemonset.yaml packaging/k8s/daemonset-kmod.yaml \
		$(O)/nstaint $(O)/selftests/go/leak
	$(call msg,INSTALL,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)install -m 755 $< $@
