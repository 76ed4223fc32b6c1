## tests/cat-web.mk -- the web API sources: unit checks of their requests
## and verdicts, and their integration test against the mock upstream.

check_PROGRAMS += tests/unit/t-sources-web
tests_unit_t_sources_web_SOURCES = tests/unit/t-sources-web.c tests/tap.h \
	tests/unit/srctest.h
tests_unit_t_sources_web_CFLAGS = $(UNIT_CFLAGS)
tests_unit_t_sources_web_LDADD = $(IOCAGG_LIBS) $(RUNNER_CLIENT_LIBS)

TESTS += tests/unit/t-sources-web tests/integ/t1010-sources-web.py
EXTRA_DIST += tests/integ/t1010-sources-web.py

# The restart test stops PostgreSQL: it runs after this one.
tests/integ/t0400-restart.log: tests/integ/t1010-sources-web.log
