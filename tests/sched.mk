## tests/sched.mk -- the scheduler: its due-time rules (unit) and the
## daemon against the test stack (iocagg-schedulerd(8)).

check_PROGRAMS += tests/unit/t-sched
tests_unit_t_sched_SOURCES = tests/unit/t-sched.c tests/tap.h
tests_unit_t_sched_CFLAGS = $(UNIT_CFLAGS)
tests_unit_t_sched_LDADD = $(IOCAGG_LIBS)

TESTS += tests/unit/t-sched tests/integ/t0900-scheduler.py
EXTRA_DIST += tests/integ/t0900-scheduler.py
# It starts and kills schedulers and fills runner workers with sleeping
# tasks: before the restart test stops PostgreSQL.
tests/integ/t0400-restart.log: tests/integ/t0900-scheduler.log
# Its timing wants the Python runner up and switched on: after the
# tests that stop it or switch it off (t0510, t0710, t0640), and after
# the concurrency test, which wants the machine to itself.
tests/integ/t0900-scheduler.log: tests/integ/t0640-config.log \
	tests/integ/t0540-concurrency.log tests/integ/t0710-runner-lookups.log
# The CLI's lookups of every source want free Python runner workers:
# after the sleeping tasks above.
tests/integ/t0800-cli.log: tests/integ/t0900-scheduler.log
