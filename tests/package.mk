## tests/package.mk -- (empty so far)
