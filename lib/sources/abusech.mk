## lib/sources/abusech.mk -- (empty so far)
