## runners/local.mk -- iocagg-python-runner(8) and iocagg-js-runner: the
## shared core in runners/common/ (gRPC server, worker pool, zygote,
## sandbox, host API), one engine per language (engine.h).

noinst_LIBRARIES += runners/common/librunner.a
runners_common_librunner_a_SOURCES = \
	runners/common/engine.h runners/common/core.h \
	runners/common/extern.h \
	runners/common/core.c runners/common/server.c \
	runners/common/pool.c runners/common/zygote.c \
	runners/common/sandbox.c runners/common/worker.c \
	runners/common/wire.c
runners_common_librunner_a_CFLAGS = $(AM_CFLAGS) $(GRPC_CFLAGS) \
	$(PROTOBUFC_CFLAGS) $(CURL_CFLAGS) $(SECCOMP_CFLAGS) $(SYSTEMD_CFLAGS)
# The generated headers, also when a runner is built on its own.
$(runners_common_librunner_a_OBJECTS): $(PROTO_H)

RUNNER_SECCOMP_LIBS = $(SECCOMP_LIBS)
# Only lib/ modules without dependencies (log, conf, xmalloc, compat)
# are pulled from libiocagg.a (xmalloc.c wants libsodium): a worker maps
# as few libraries as can be.
RUNNER_LIBS = runners/common/librunner.a proto/libproto.a \
	lib/libiocagg.a $(SODIUM_LIBS) $(GRPC_LIBS) $(PROTOBUFC_LIBS) \
	$(CURL_LIBS) $(SYSTEMD_LIBS) $(RUNNER_SECCOMP_LIBS)
RUNNER_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/runners/common

pkglibexec_PROGRAMS += runners/python/iocagg-python-runner
runners_python_iocagg_python_runner_SOURCES = runners/python/main.c \
	runners/python/py.c
runners_python_iocagg_python_runner_CFLAGS = $(RUNNER_CFLAGS) \
	$(PYTHON_CFLAGS)
runners_python_iocagg_python_runner_LDADD = $(RUNNER_LIBS) $(PYTHON_LIBS)

# The JavaScript runner: engine runners/js/duk.c, Duktape built by
# runners/js/duk-build.mk (its JS_ENGINE_* variables).
include runners/js/duk-build.mk
pkglibexec_PROGRAMS += runners/js/iocagg-js-runner
runners_js_iocagg_js_runner_SOURCES = runners/js/main.c $(JS_ENGINE_SOURCES)
nodist_runners_js_iocagg_js_runner_SOURCES = $(JS_ENGINE_NODIST_SOURCES)
runners_js_iocagg_js_runner_CFLAGS = $(RUNNER_CFLAGS) $(JS_ENGINE_CFLAGS)
runners_js_iocagg_js_runner_LDADD = $(RUNNER_LIBS) $(JS_ENGINE_LIBS)
# The configured duktape.h, also when the runner is built on its own.
$(runners_js_iocagg_js_runner_OBJECTS): $(JS_ENGINE_NODIST_SOURCES)

dist_man_MANS += man/iocagg-python-runner.8 man/iocagg-js-runner.8
