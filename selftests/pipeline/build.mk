# The pipeline's unit tests (selftests/build.mk builds them): the event
# table and the sinks, against the CLI's objects; the queue.
PIPELINE_SINK_OBJS = $(addprefix $(O)/user/nstaint/,model/evtable.o model/syscalls.o \
	sink/sinks.o sink/text.o sink/json.o sym/ustack.o sym/symbolize.o sym/gopclntab.o \
	sym/execlog.o) $(addprefix $(O)/user/common/,nsset.o nsjson.o strout.o elfscn.o)
SELFTEST_LIBS_sinks_test = -Iuser -Iuser/nstaint $(PIPELINE_SINK_OBJS) -ldw -lelf -lz
$(O)/selftests/pipeline/sinks_test: $(PIPELINE_SINK_OBJS) $(wildcard user/nstaint/*/*.h)

SELFTEST_LIBS_queue_test = -Iuser -Iuser/nstaint $(O)/user/nstaint/pipeline/queue.o
$(O)/selftests/pipeline/queue_test: $(O)/user/nstaint/pipeline/queue.o user/nstaint/pipeline/queue.h
