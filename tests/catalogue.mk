## tests/catalogue.mk -- (empty so far)
