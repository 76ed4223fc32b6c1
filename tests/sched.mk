## tests/sched.mk -- (empty so far)
