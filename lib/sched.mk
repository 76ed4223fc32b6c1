## lib/sched.mk -- (empty so far)
