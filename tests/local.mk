## tests/local.mk -- "make check": TAP everywhere (automake's tap-driver).
##   tests/unit/t-*.c     C unit tests of lib/, linked against libiocagg.a
##   tests/t-*.sh         static checks: man pages, units, NGINX template
##   tests/integ/t*.py    black-box tests through NGINX against the real
##                        programs, PostgreSQL and Redis that
##                        "tools/devstack test" starts; they skip
##                        when IOCAGG_TEST_URL is not set.

UNIT_TESTS = \
	tests/unit/t-compat \
	tests/unit/t-conf \
	tests/unit/t-json \
	tests/unit/t-http \
	tests/unit/t-auth \
	tests/unit/t-kv \
	tests/unit/t-nanoid \
	tests/unit/t-slug \
	tests/unit/t-indicator \
	tests/unit/t-secret \
	tests/unit/t-source \
	tests/unit/t-duk

check_PROGRAMS += $(UNIT_TESTS)
UNIT_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/tests $(JSONC_CFLAGS) \
	$(PQ_CFLAGS) $(FCGI_CFLAGS) $(SODIUM_CFLAGS) $(CURL_CFLAGS)

tests_unit_t_compat_SOURCES = tests/unit/t-compat.c tests/tap.h
tests_unit_t_compat_CFLAGS = $(UNIT_CFLAGS)
tests_unit_t_compat_LDADD = $(IOCAGG_LIBS)
tests_unit_t_conf_SOURCES = tests/unit/t-conf.c tests/tap.h
tests_unit_t_conf_CFLAGS = $(UNIT_CFLAGS) -DSRCDIR='"$(abs_top_srcdir)"'
tests_unit_t_conf_LDADD = $(IOCAGG_LIBS)
tests_unit_t_json_SOURCES = tests/unit/t-json.c tests/tap.h
tests_unit_t_json_CFLAGS = $(UNIT_CFLAGS)
tests_unit_t_json_LDADD = $(IOCAGG_LIBS)
tests_unit_t_http_SOURCES = tests/unit/t-http.c tests/tap.h
tests_unit_t_http_CFLAGS = $(UNIT_CFLAGS)
tests_unit_t_http_LDADD = $(IOCAGG_LIBS)
tests_unit_t_auth_SOURCES = tests/unit/t-auth.c tests/tap.h
tests_unit_t_auth_CFLAGS = $(UNIT_CFLAGS)
tests_unit_t_auth_LDADD = $(IOCAGG_LIBS)
tests_unit_t_kv_SOURCES = tests/unit/t-kv.c tests/tap.h
tests_unit_t_kv_CFLAGS = $(UNIT_CFLAGS)
tests_unit_t_kv_LDADD = $(IOCAGG_LIBS)
tests_unit_t_nanoid_SOURCES = tests/unit/t-nanoid.c tests/tap.h
tests_unit_t_nanoid_CFLAGS = $(UNIT_CFLAGS)
tests_unit_t_nanoid_LDADD = $(IOCAGG_LIBS)
tests_unit_t_slug_SOURCES = tests/unit/t-slug.c tests/tap.h
tests_unit_t_slug_CFLAGS = $(UNIT_CFLAGS)
tests_unit_t_slug_LDADD = $(IOCAGG_LIBS)
tests_unit_t_indicator_SOURCES = tests/unit/t-indicator.c tests/tap.h
tests_unit_t_indicator_CFLAGS = $(UNIT_CFLAGS)
tests_unit_t_indicator_LDADD = $(IOCAGG_LIBS)
tests_unit_t_secret_SOURCES = tests/unit/t-secret.c tests/tap.h
tests_unit_t_secret_CFLAGS = $(UNIT_CFLAGS)
tests_unit_t_secret_LDADD = $(IOCAGG_LIBS)
tests_unit_t_source_SOURCES = tests/unit/t-source.c tests/tap.h
tests_unit_t_source_CFLAGS = $(UNIT_CFLAGS)
tests_unit_t_source_LDADD = $(IOCAGG_LIBS) $(RUNNER_CLIENT_LIBS)
tests_unit_t_duk_SOURCES = tests/unit/t-duk.c tests/tap.h $(JS_ENGINE_SOURCES)
nodist_tests_unit_t_duk_SOURCES = $(JS_ENGINE_NODIST_SOURCES)
tests_unit_t_duk_CFLAGS = $(UNIT_CFLAGS) $(JS_ENGINE_CFLAGS)
tests_unit_t_duk_LDADD = $(JS_ENGINE_LIBS) $(IOCAGG_LIBS)

SH_TESTS = \
	tests/t-mandoc.sh \
	tests/t-units.sh \
	tests/t-nginx.sh \
	tests/t-cgi.sh \
	tests/t-fcgi-modes.sh

INTEG_TESTS = \
	tests/integ/t0100-health.py \
	tests/integ/t0200-auth.py \
	tests/integ/t0300-routing.py \
	tests/integ/t0310-utf8.py \
	tests/integ/t0500-lookup.py \
	tests/integ/t0510-checks.py \
	tests/integ/t0520-cache.py \
	tests/integ/t0530-sse.py \
	tests/integ/t0540-concurrency.py \
	tests/integ/t0600-providers.py \
	tests/integ/t0610-ignorelists.py \
	tests/integ/t0620-sources.py \
	tests/integ/t0630-secrets.py \
	tests/integ/t0640-config.py \
	tests/integ/t0650-auth.py \
	tests/integ/t0660-openapi.py \
	tests/integ/t0670-admin-flow.py \
	tests/integ/t0800-cli.py \
	tests/integ/t0700-runner.py \
	tests/integ/t0701-js-runner.py \
	tests/integ/t0710-runner-lookups.py \
	tests/integ/t0400-restart.py

TESTS += $(UNIT_TESTS) $(SH_TESTS) $(INTEG_TESTS)
EXTRA_DIST += $(SH_TESTS) $(INTEG_TESTS) tests/integ/iocaggtest.py \
	tests/mock/apis tests/mock/upstream.py tests/mock/oidc.py tests/mock/selftest.py tests/mock/README.md \
	tests/fuzz/fuzz-indicator.c tests/fuzz/fuzz-request.c \
	tests/fuzz/fuzz-json.c tests/fuzz/fuzz-conf.c tests/fuzz/run.sh \
	tests/bench/runners.py tests/bench/duk-call.c
EXTRA_DIST += tests/fuzz/fuzz-jwt.c tests/fuzz/fuzz-sources.c \
	tests/fuzz/fuzz-gsburl.c tests/fuzz/fuzz-feed.c \
	tests/fuzz/seeds tests/fuzz/repro

TEST_EXTENSIONS = .sh .py
TAP_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
LOG_DRIVER = $(TAP_DRIVER)
SH_LOG_DRIVER = $(TAP_DRIVER)
SH_LOG_COMPILER = $(SHELL)
PY_LOG_DRIVER = $(TAP_DRIVER)
PY_LOG_COMPILER = /usr/bin/python3
# What the shell tests need to find the build.
AM_TESTS_ENVIRONMENT = \
	top_srcdir='$(abs_top_srcdir)'; top_builddir='$(abs_top_builddir)'; \
	MANDOC='$(MANDOC)'; PYTHONDONTWRITEBYTECODE=1; \
	export top_srcdir top_builddir MANDOC PYTHONDONTWRITEBYTECODE;

# The restart test stops PostgreSQL: it runs after the other stack tests.
tests/integ/t0400-restart.log: tests/integ/t0100-health.log \
	tests/integ/t0200-auth.log tests/integ/t0300-routing.log \
	tests/integ/t0310-utf8.log \
	tests/integ/t0500-lookup.log tests/integ/t0510-checks.log \
	tests/integ/t0520-cache.log tests/integ/t0530-sse.log \
	tests/integ/t0540-concurrency.log tests/integ/t0600-providers.log \
	tests/integ/t0610-ignorelists.log tests/integ/t0620-sources.log \
	tests/integ/t0630-secrets.log tests/integ/t0640-config.log \
	tests/integ/t0650-auth.log tests/integ/t0660-openapi.log \
	tests/integ/t0670-admin-flow.log tests/integ/t0800-cli.log \
	tests/integ/t0710-runner-lookups.log
# The CLI's slow lookups would upset the in-flight counts of t0530/t0540.
tests/integ/t0800-cli.log: tests/integ/t0530-sse.log \
	tests/integ/t0540-concurrency.log
# Both switch python_runner_enabled: not at the same time.
tests/integ/t0640-config.log: tests/integ/t0510-checks.log
# The runner lookups stop and restart the stack's Python runner, which
# t0620 needs, and t0510 switches the Python runner off for a moment;
# t0640 sets the runner settings of server_config to its own values
# while it runs.  One at a time, in this order.
tests/integ/t0710-runner-lookups.log: tests/integ/t0510-checks.log \
	tests/integ/t0620-sources.log
tests/integ/t0640-config.log: tests/integ/t0710-runner-lookups.log
tests/integ/t0620-sources.log: tests/integ/t0510-checks.log
# The concurrency test wants the machine to itself.
tests/integ/t0540-concurrency.log: tests/integ/t0700-runner.log \
	tests/integ/t0701-js-runner.log \
	tests/integ/t0710-runner-lookups.log
tests/integ/t0540-concurrency.log: tests/integ/t0500-lookup.log \
	tests/integ/t0510-checks.log tests/integ/t0520-cache.log \
	tests/integ/t0530-sse.log
