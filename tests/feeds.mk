## tests/feeds.mk -- the feed loader: parser unit test, the feed tests
## against the mock feed server, and the ingest benchmark's script.
check_PROGRAMS += tests/unit/t-feed
tests_unit_t_feed_SOURCES = tests/unit/t-feed.c tests/tap.h
tests_unit_t_feed_CFLAGS = $(UNIT_CFLAGS)
tests_unit_t_feed_LDADD = $(IOCAGG_LIBS) $(RUNNER_CLIENT_LIBS)

TESTS += tests/unit/t-feed tests/integ/t0910-feeds.py
EXTRA_DIST += tests/integ/t0910-feeds.py tests/bench/feeds.sh
# A stack test: before the restart test stops PostgreSQL.
tests/integ/t0400-restart.log: tests/integ/t0910-feeds.log
