## proto/local.mk -- the gRPC protocols.  The .proto files are the source
## of truth; protoc-c generates proto/*.pb-c.[ch] in the build tree at
## build time (never committed, never edited).
##
## protoc-c also writes stubs for each "service", and those collide with
## the message helpers (rpc Runner.Init gives runner__runner__init, the
## name of a message initializer).  Our C talks to the gRPC core with
## byte buffers and needs no stubs, so the services are stripped into
## proto/msgs/ first; the Python test stubs use the real files.
##	runner.proto	server <-> runner (package runner)
##	health.proto	grpc.health.v1, served by the runners
##	worker.proto	runner core <-> its worker processes (private)

PROTO_FILES = proto/runner.proto proto/health.proto proto/worker.proto
PROTO_C = proto/runner.pb-c.c proto/health.pb-c.c proto/worker.pb-c.c
PROTO_H = proto/runner.pb-c.h proto/health.pb-c.h proto/worker.pb-c.h

# Link with $(PROTOBUFC_LIBS); include as "proto/runner.pb-c.h".
noinst_LIBRARIES += proto/libproto.a
nodist_proto_libproto_a_SOURCES = $(PROTO_C) $(PROTO_H)
proto_libproto_a_CFLAGS = $(AM_CFLAGS) $(PROTOBUFC_CFLAGS)

BUILT_SOURCES += $(PROTO_H)
CLEANFILES += $(PROTO_C) $(PROTO_H) proto/msgs/runner.proto \
	proto/msgs/health.proto proto/msgs/worker.proto
EXTRA_DIST += $(PROTO_FILES)

# A pattern rule with two targets: one protoc-c run makes both.
proto/%.pb-c.c proto/%.pb-c.h: $(srcdir)/proto/%.proto
	$(AM_V_GEN)$(MKDIR_P) proto/msgs && \
	$(SED) '/^service /,/^}/d' $< > proto/msgs/$*.proto && \
	$(PROTOC_C) -Iproto/msgs --c_out=proto proto/msgs/$*.proto
