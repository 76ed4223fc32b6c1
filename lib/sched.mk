## lib/sched.mk -- the scheduler's due-time rules (iocagg-schedulerd(8)).
## lib/schedule.h, not lib/sched.h: lib/ is on the include path and
## would hide the system <sched.h>.
lib_libiocagg_a_SOURCES += lib/schedule.c lib/schedule.h
