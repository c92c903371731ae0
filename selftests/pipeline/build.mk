# The pipeline's unit tests (selftests/build.mk builds them): the event
# table and the sinks, against the CLI's objects; the queue.
PIPELINE_SINK_OBJS = $(addprefix $(O)/user/nstaint/,model/evtable.o model/syscalls.o \
	sink/sinks.o sink/text.o sink/json.o sink/metrics.o sink/export.o model/tracker.o model/record.o model/report.o \
	sym/ustack.o sym/symbolize.o sym/gopclntab.o sym/execlog.o \
	agent/promtext.o agent/procmetrics.o agent/rotlog.o agent/envelope.o \
	agent/lineq.o agent/labelcap.o agent/alog.o) \
	$(addprefix $(O)/user/common/,nsset.o nsjson.o strout.o elfscn.o)
SELFTEST_LIBS_sinks_test = -Iuser -Iuser/nstaint $(PIPELINE_SINK_OBJS) -ldw -lelf -lz -lm
$(O)/selftests/pipeline/sinks_test: $(PIPELINE_SINK_OBJS) $(wildcard user/nstaint/*/*.h)

SELFTEST_LIBS_queue_test = -Iuser -Iuser/nstaint $(O)/user/nstaint/pipeline/queue.o
$(O)/selftests/pipeline/queue_test: $(O)/user/nstaint/pipeline/queue.o user/nstaint/pipeline/queue.h

# The queue under a flood, end to end (a TAP script on the real binary).
PIPELINE_FLOOD_TEST := $(O)/selftests/pipeline/flood_test
ALL   += $(PIPELINE_FLOOD_TEST)
TESTS += $(PIPELINE_FLOOD_TEST)

$(PIPELINE_FLOOD_TEST): selftests/pipeline/flood_test.sh $(O)/nstaint $$(NSFLIP)
	$(call msg,INSTALL,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)install -m 755 $< $@

# The drain thread's scheduling class, as the kernel reports it.
PIPELINE_DRAINSCHED_TEST := $(O)/selftests/pipeline/drainsched_test
ALL   += $(PIPELINE_DRAINSCHED_TEST)
TESTS += $(PIPELINE_DRAINSCHED_TEST)

$(PIPELINE_DRAINSCHED_TEST): selftests/pipeline/drainsched_test.sh $(O)/nstaint
	$(call msg,INSTALL,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)install -m 755 $< $@
