## tests/cat-web.mk -- (empty so far)
