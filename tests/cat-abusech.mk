## tests/cat-abusech.mk -- tests of the abuse.ch, Google Safe Browsing
## and urlscan.io sources.
check_PROGRAMS += tests/unit/t-gsb
TESTS += tests/unit/t-gsb
tests_unit_t_gsb_SOURCES = tests/unit/t-gsb.c tests/tap.h
tests_unit_t_gsb_CFLAGS = $(UNIT_CFLAGS)
tests_unit_t_gsb_LDADD = $(IOCAGG_LIBS)

TESTS += tests/integ/t1020-sources-abusech.py
EXTRA_DIST += tests/integ/t1020-sources-abusech.py

# The restart test stops PostgreSQL: it runs after this one.
tests/integ/t0400-restart.log: tests/integ/t1020-sources-abusech.log
