## tests/cat-abusech.mk -- (empty so far)
